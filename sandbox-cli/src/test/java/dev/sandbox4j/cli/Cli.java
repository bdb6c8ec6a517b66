package dev.sandbox4j.cli;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;

/** Runs the real CLI in-process, capturing what it prints, and runs podman/nft/ip for the tests' own checks. */
final class Cli {
    record Outcome(int exitCode, String out, String err) {
    }

    private Cli() {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = SandboxCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    static CommandResult host(String... argv) {
        return CommandRunner.system().run(Command.of(List.of(argv), Duration.ofSeconds(60)));
    }

    /** Names of containers carrying a label, running or not. */
    static List<String> containersLabelled(String label) {
        return host("podman", "ps", "-a", "--filter", "label=" + label, "--format", "{{.Names}}").stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }

    static List<String> networksLabelled(String label) {
        return host("podman", "network", "ls", "--filter", "label=" + label, "--format", "{{.Name}}").stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }

    static boolean nftTableExists(String sandboxName) {
        return host("nft", "list", "table", "inet", "sandbox4j_" + sandboxName.replaceAll("[^a-z0-9]", "_"))
                .exitCode() == 0;
    }
}
