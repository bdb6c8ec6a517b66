package dev.sandbox4j.cli;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sandbox stop}: asks a sandbox's main process to exit (SIGTERM), waits, then removes the sandbox. Sandboxes
 * are never left stopped (as with {@code docker run --rm}), so a stopped sandbox is a removed one.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stop sandboxes: send SIGTERM to the main process, wait up to --time seconds for it to exit,",
                "then remove the sandbox with its network and firewall table (a stopped sandbox is removed, as",
                "with 'docker run --rm'). Exit code 1 if a name or id matched nothing."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox stop web", "  sandbox stop -t 0 3f2a9c", ""})
public final class StopCommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(200);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS",
            description = "Seconds to wait for the main process to exit before removing it anyway. Default: 10.")
    int seconds = 10;

    @Mixin
    NamedSandboxes sandboxes = new NamedSandboxes();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int code = sandboxes.forEach(err, (rt, s) -> {
            boolean exited = !s.running() || (seconds > 0 && terminate(rt, s));
            if (exited && KeptSandboxes.isKept(s)) {
                // its holder saw the main process end and removes the sandbox: let it finish first
                s.ownerPid().ifPresent(pid -> KeptSandboxes.awaitHolder(pid, Duration.ofSeconds(30)));
            }
            RemoveCommand.removeReporting(rt, s, err);
            out.println(s.shortId() + " " + s.name() + (exited ? " stopped" : " killed after " + seconds + " s"));
        });
        out.flush();
        return code;
    }

    /** Sends SIGTERM to the main process and waits; whether it stopped running in time. */
    private boolean terminate(SandboxRuntime rt, SandboxInfo s) throws InterruptedException {
        try {
            rt.backend().exec(s.id(), Exec.builder("kill", "-TERM", "1").mode(ExecMode.PLAIN)
                    .timeout(Duration.ofSeconds(30)).build(), ExecListener.NONE);
        } catch (SandboxException e) {
            return false;  // no kill in the image, or it exited meanwhile: removal follows either way
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<SandboxInfo> now = rt.find(s.id());
            if (now.isEmpty() || !now.get().running()) {
                return true;
            }
            Thread.sleep(POLL.toMillis());
        }
        return false;
    }
}
