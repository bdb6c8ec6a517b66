package dev.sandbox4j.cli;

import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox logs}: what a sandbox's main process has written. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print what a sandbox's main process (the command of 'run -d IMAGE CMD') has written to",
                "stdout and stderr so far. Exit code 1 if nothing matches."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox logs web", ""})
public final class LogsCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String runtime;

    @Parameters(index = "0", paramLabel = "SANDBOX", description = "Name (--name or sb4j-...), id or id prefix.")
    String id;

    @Override
    public Integer call() {
        SandboxRuntime rt = Targets.runtime(runtime);
        var found = Targets.find(rt, id);
        if (found.isEmpty()) {
            spec.commandLine().getErr().println("sandbox: no sandbox matches '" + id + "' (see 'sandbox ls')");
            return 1;
        }
        SandboxInfo s = found.get();
        PrintWriter out = spec.commandLine().getOut();
        out.print(rt.backend().logs(s.id(), TIMEOUT));
        out.flush();
        return 0;
    }
}
