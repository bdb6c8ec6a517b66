package dev.sandbox4j.examples.cli;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.internal.config.Durations;
import dev.sandbox4j.spi.ContainerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox exec}: runs a command in a kept sandbox, through the runtime, by container id or name. */
@Command(name = "exec", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run a command in a running sandbox (one started with 'run --keep').",
                "Output streams live; the exit code is the command's. The sandbox's egress policy still applies."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandbox exec 3f2a9c -- ls -l /work", "  sandbox exec -e DEBUG=1 -w /tmp sb4j-0a1b2c3d4e5f -- sh -c 'env'", ""})
public final class ExecCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Set an environment variable for this command.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory. Default: the sandbox's.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User name or uid[:gid]. Default: the sandbox's.")
    String user;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Time limit, e.g. 30s. Default: 10m.")
    String timeout;

    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String runtime;

    @Parameters(index = "0", paramLabel = "ID", description = "Container id (or a unique prefix of 3+ characters) or sandbox name.")
    String id;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        Exec.Builder exec = Exec.builder(command.toArray(String[]::new));
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-e " + e + ": write NAME=VALUE");
            }
            exec.env(e.substring(0, eq), e.substring(eq + 1));
        }
        if (workdir != null) {
            exec.workdir(workdir);
        }
        if (user != null) {
            exec.user(user);
        }
        if (timeout != null) {
            exec.timeout(Durations.parse(timeout));
        }
        Exec built = exec.build();
        Ours ours = new Ours(Optional.ofNullable(runtime));
        Optional<ContainerInfo> target = ours.find(id);
        if (target.isEmpty()) {
            spec.commandLine().getErr().println("sandbox: no sandbox matches '" + id + "' (see 'sandbox ls')");
            return 1;
        }
        ExecListener listener = RunCommand.streaming(spec.commandLine().getOut(), spec.commandLine().getErr());
        ExecResult r = ours.backend().exec(target.get().id(), built, listener);
        return r.exitCode();
    }
}
