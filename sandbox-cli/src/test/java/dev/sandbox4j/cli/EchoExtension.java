package dev.sandbox4j.cli;

import dev.sandbox4j.cli.spi.CliExtension;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** A subcommand contributed the way the sandbox-mcp module contributes {@code mcp}: {@code sandbox echo-extension WORD}. */
public final class EchoExtension implements CliExtension {
    @Override
    public String name() {
        return "echo-extension";
    }

    @Override
    public Object command() {
        return new Echo();
    }

    @CommandLine.Command(name = "echo-extension", description = "Prints its argument (a test extension).")
    static final class Echo implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Parameters(index = "0")
        String word;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println("extension says " + word);
            return 3;
        }
    }
}
