package dev.sandbox4j.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.internal.config.Durations;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox run}: starts a sandbox, runs one command in it with live output, removes it. */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Start a sandbox, run a command in it with live output, then remove it.",
                "Egress is denied unless --allow, --allow-cidr or --policy allow it. The exit code is the command's."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  sandbox run localhost/busybox:latest -- sh -c 'echo hi; exit 3'          # exits 3",
                "  sandbox run -v .:/work -w /work -e MODE=ci IMAGE -- make test",
                "  sandbox run --allow pypi.org:443 --allow '*.pythonhosted.org:443' IMAGE -- pip download x",
                "  sandbox run --dockerfile ./ctx -- ./build.sh",
                "  sandbox run --config sandbox.json -- sh -c 'ls /work'",
                "  sandbox run --keep -p 8080 IMAGE -- httpd -f -p 8080   # prints the id; then exec, ls, rm", ""})
public class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SandboxOptions options = new SandboxOptions();

    @Option(names = "--keep", description = "Leave the sandbox running and print its id. The command, if any, becomes its "
            + "main process; the sandbox is removed when that exits, or by 'sandbox rm'.")
    boolean keep;

    @Option(names = "--json", description = "Print one JSON object instead of streaming: the id, and for a command its exit code and output.")
    boolean json;

    @Option(names = "--audit", description = "Stream the egress log to stderr while the command runs (JSON lines with --json).")
    boolean audit;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Time limit for the command, e.g. 30s or 5m. Default: 10m.")
    String timeout;

    @Option(names = "--hold", hidden = true, description = "Internal: be the process that holds a kept sandbox.")
    boolean hold;

    @Parameters(paramLabel = "IMAGE -- CMD", description = "The image (unless --config or --dockerfile gives it), then the command.")
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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SandboxSpec.Builder builder = options.builder(image);
        if (keep || hold) {
            if (audit) {
                throw new SandboxConfigException("--audit needs the command's lifetime: it cannot be used with --keep");
            }
            if (!command.isEmpty()) {
                builder.command(command.toArray(String[]::new));
            }
            SandboxSpec sandboxSpec = builder.build();
            return hold ? KeptSandboxes.hold(sandboxSpec, out) : KeptSandboxes.keep(spec.commandLine(), json, out, err);
        }
        if (command.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing command: write it after --, e.g. sandbox run IMAGE -- sh -c 'echo hi', or use --keep");
        }
        Exec.Builder exec = Exec.builder(command.toArray(String[]::new));
        if (timeout != null) {
            exec.timeout(Durations.parse(timeout));
        }
        SandboxSpec sandboxSpec = builder.build();
        List<EgressEvent> events = new ArrayList<>();
        try (Sandbox sandbox = sandboxSpec.start()) {
            String name = Json.name(sandbox);
            if (!json) {
                sandbox.hostPorts().forEach((c, h) -> err.println("sandbox: port " + c + " published on 127.0.0.1:" + h));
                err.flush();
            }
            AutoCloseable subscription = sandbox.egressLog().subscribe(e -> {
                synchronized (events) {
                    events.add(e);
                }
                if (audit) {
                    synchronized (err) {
                        err.println(json ? Json.event(e, name) : Json.line(e));
                        err.flush();
                    }
                }
            });
            try {
                ExecResult r = sandbox.exec(exec.build(), json ? ExecListener.NONE : streaming(out, err));
                if (json) {
                    ObjectNode n = Json.sandbox(sandbox);
                    n.put("exitCode", r.exitCode());
                    n.put("stdout", r.stdout());
                    n.put("stderr", r.stderr());
                    n.put("elapsedMillis", r.elapsed().toMillis());
                    n.put("droppedBytes", r.droppedBytes());
                    var array = n.putArray("egress");
                    synchronized (events) {
                        events.forEach(e -> array.add(Json.eventNode(e, name)));
                    }
                    out.println(Json.write(n));
                    out.flush();
                }
                return r.exitCode();
            } finally {
                subscription.close();
            }
        }
    }

    /** Forwards output lines as they come, flushing each, so a long command's progress shows live. */
    static ExecListener streaming(PrintWriter out, PrintWriter err) {
        return new ExecListener() {
            @Override
            public void onStdout(String line) {
                synchronized (out) {
                    out.println(line);
                    out.flush();
                }
            }

            @Override
            public void onStderr(String line) {
                synchronized (err) {
                    err.println(line);
                    err.flush();
                }
            }
        };
    }
}
