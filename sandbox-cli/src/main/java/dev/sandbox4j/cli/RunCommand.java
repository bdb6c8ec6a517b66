package dev.sandbox4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxRuntime;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.config.DurationText;
import dev.sandbox4j.egress.EgressEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox run}: starts a sandbox, runs one command in it with its bytes passed through, removes it. */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Start a sandbox, run a command in it with its output passed through, then remove it.",
                "Options go before the image; everything after the image is the command ('--' is optional).",
                "Egress is denied unless --allow, --allow-cidr or --policy allow it. The exit code is the command's."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  sandbox run localhost/busybox:latest sh -c 'echo hi; exit 3'          # exits 3",
                "  sandbox run -v .:/work -w /work -e MODE=ci --env-file ci.env -m 1g --cpus 2 IMAGE make test",
                "  tar c src | sandbox run -i IMAGE sh -c 'tar x && make' > build.log",
                "  sandbox run -it IMAGE sh                                          # interactive shell",
                "  sandbox run --allow pypi.org:443 --allow '*.pythonhosted.org:443' IMAGE pip download x",
                "  sandbox run --dockerfile ./ctx ./build.sh",
                "  sandbox run --config sandbox.json sh -c 'ls /work'",
                "  sandbox run -d --name web -p 127.0.0.1:8080:80 IMAGE httpd -f -p 80   # prints the id", ""})
public class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    SandboxCli cli;

    @Mixin
    SandboxOptions options = new SandboxOptions();

    @Option(names = {"-i", "--interactive"}, description = "Pass this process's standard input to the command.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Run the command on a terminal in the sandbox (stderr then arrives "
            + "on stdout, with \\r\\n line ends). With -i and a terminal here, keys go straight to it: -it gives an "
            + "interactive shell.")
    boolean tty;

    @Option(names = {"-d", "--detach", "--keep"}, description = "Leave the sandbox running and print its id. The command, "
            + "if any, becomes its main process; the sandbox is removed when that exits, or by 'sandbox stop' or 'rm'.")
    boolean keep;

    @Option(names = "--json", description = "Print one JSON object instead of passing output through: the id, and for a "
            + "command its exit code, output and egress decisions.")
    boolean json;

    @Option(names = "--audit", description = "Stream the egress log to stderr while the command runs (JSON lines with --json).")
    boolean audit;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Time limit for the command, e.g. 30s or 5m. Default: 10m.")
    String timeout;

    @Option(names = "--hold", hidden = true, description = "Internal: be the process that holds a kept sandbox.")
    boolean hold;

    @Parameters(paramLabel = "IMAGE [CMD [ARG...]]",
            description = "The image (unless --config or --dockerfile gives it), then the command and its arguments.")
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String image = null;
        List<String> command = new ArrayList<>(arguments);
        if (!options.imageFromOptions()) {
            if (command.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Missing IMAGE: give an image, --dockerfile DIR or --config FILE");
            }
            image = command.remove(0);
        }
        if (!command.isEmpty() && command.get(0).equals("--")) {
            command.remove(0);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SandboxSpec.Builder builder = options.builder(image);
        SandboxRuntime runtime = Targets.runtime(options.runtime);
        if (options.name != null && !hold && Targets.find(runtime, options.name).isPresent()) {
            throw new SandboxConfigException("--name " + options.name + ": a sandbox of that name exists already; "
                    + "remove it with 'sandbox rm " + options.name + "' or choose another name");
        }
        if (keep || hold) {
            if (audit || interactive || tty) {
                throw new SandboxConfigException((audit ? "--audit" : interactive ? "-i" : "-t") + " needs the "
                        + "command's lifetime: it cannot be used with -d/--keep (for a terminal in a kept sandbox, "
                        + "use 'sandbox exec -it NAME sh')");
            }
            if (!command.isEmpty()) {
                builder.command(command.toArray(String[]::new));
            }
            SandboxSpec sandboxSpec = builder.build();
            return hold ? KeptSandboxes.hold(sandboxSpec, out)
                    : KeptSandboxes.keep(spec.commandLine(), arguments.size(), json, out, err);
        }
        if (command.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing command: give it after the image, e.g. sandbox run IMAGE sh -c 'echo hi', or use -d");
        }
        Duration limit = timeout == null ? Exec.DEFAULT_TIMEOUT : DurationText.parse(timeout);
        SandboxSpec sandboxSpec = builder.build();
        List<EgressEvent> events = new ArrayList<>();
        try (Sandbox sandbox = runtime.start(sandboxSpec)) {
            String name = sandbox.name();
            if (!json) {
                sandbox.hostPorts().forEach((c, h) -> err.println("sandbox: port " + c + " published on port " + h));
                err.flush();
            }
            AutoCloseable subscription = sandbox.egressLog().subscribe(e -> {
                synchronized (events) {
                    events.add(e);
                }
                if (audit) {
                    synchronized (cli.io.err()) {
                        err.println(json ? e.toJsonLine(name) : Json.line(e));
                        err.flush();
                    }
                }
            });
            try {
                if (!json) {
                    return RawExec.run(runtime.backend(), sandbox.id(), Exec.builder().command(command).tty(tty)
                            .build(), cli.io, interactive, limit);
                }
                Exec.Builder exec = Exec.builder(command.toArray(String[]::new)).timeout(limit).tty(tty);
                if (interactive) {
                    exec.stdin(cli.io.in().readAllBytes());
                }
                ExecResult r = sandbox.exec(exec.build(), ExecListener.NONE);
                ObjectNode n = Json.sandbox(sandbox);
                n.put("exitCode", r.exitCode());
                n.put("stdout", r.stdout());
                n.put("stderr", r.stderr());
                n.put("elapsedMillis", r.elapsed().toMillis());
                n.put("droppedBytes", r.droppedBytes());
                var array = n.putArray("egress");
                synchronized (events) {
                    events.forEach(e -> array.add(Json.read(e.toJsonLine(name))));
                }
                out.println(Json.write(n));
                out.flush();
                return r.exitCode();
            } finally {
                subscription.close();
            }
        }
    }
}
