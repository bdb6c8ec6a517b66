package dev.sandbox4j.cli;

import dev.sandbox4j.Exec;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import dev.sandbox4j.config.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox exec}: runs a command in a running sandbox, by name or id, with its bytes passed through. */
@Command(name = "exec", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a command in a running sandbox (one started with 'run -d').",
                "Output is passed through as it comes; the exit code is the command's. The sandbox's egress policy",
                "still applies."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandbox exec web ls -l /work", "  sandbox exec -e DEBUG=1 -w /tmp 3f2a9c sh -c 'env'",
                "  cat data.csv | sandbox exec -i web wc -l", "  sandbox exec -it web sh", ""})
public final class ExecCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    SandboxCli cli;

    @Option(names = {"-i", "--interactive"}, description = "Pass this process's standard input to the command.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Run the command on a terminal in the sandbox (stderr then arrives "
            + "on stdout). With -i and a terminal here, keys go straight to it: -it gives an interactive shell.")
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Set an environment variable for this command.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR",
            description = "Working directory (needs /bin/sh in the image). Default: the sandbox's.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User name or uid[:gid]. Default: the sandbox's.")
    String user;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Time limit, e.g. 30s. Default: 10m.")
    String timeout;

    @Mixin
    RuntimeOption runtime = new RuntimeOption();

    @Parameters(index = "0", paramLabel = "SANDBOX", description = "Name (--name or sb4j-...), id or id prefix of 3+ characters.")
    String id;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-e " + e + ": write NAME=VALUE");
            }
            variables.put(e.substring(0, eq), e.substring(eq + 1));
        }
        Duration limit = timeout == null ? Exec.DEFAULT_TIMEOUT : DurationText.parse(timeout);
        List<String> argv = new ArrayList<>(command);
        if (!argv.isEmpty() && argv.get(0).equals("--")) {
            argv.remove(0);
        }
        if (argv.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing command after " + id);
        }
        if (workdir != null) {
            if (!workdir.startsWith("/")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-w " + workdir + ": give an absolute path");
            }
            List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"", workdir));
            wrapped.addAll(argv);
            argv = wrapped;
        }
        SandboxRuntime rt = runtime.runtime();
        SandboxInfo target = Targets.require(rt, id);
        Exec.Builder exec = Exec.builder().command(argv).user(user).tty(tty);
        variables.forEach(exec::env);  // checks names and values as the library does
        return RawExec.run(rt.backend(), target.id(), exec.build(), cli.io, interactive, limit);
    }
}
