package dev.sandbox4j.internal;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.time.Duration;
import java.util.Collection;

/**
 * One exec through one runtime CLI process (the plain path), the same for every backend: limits, listeners,
 * stdin and redaction from the {@link Exec}; and when the CLI process is stopped early (timeout or interrupt),
 * the command that still runs inside the sandbox is killed too, through {@code killInside}. Also how every backend
 * starts a CLI process that stays open ({@link #open}).
 */
public final class CliExec {
    private CliExec() {
    }

    /**
     * Runs {@code cmd} for {@code exec}. On timeout, runs {@code killInside} and throws
     * {@link SandboxTimeoutException} with the partial output; on interrupt, runs {@code killInside} (with the
     * interrupt flag cleared for it, then restored) and rethrows.
     */
    public static CommandResult run(CommandRunner runner, Command.Builder cmd, Exec exec, ExecListener listener,
                                    Runnable killInside) {
        cmd.timeout(exec.timeout())
                .grace(Duration.ofMillis(500))
                .maxOutputBytes(exec.maxOutputBytes())
                .stdoutLines(listener::onStdout)
                .stderrLines(listener::onStderr);
        exec.stdin().ifPresent(cmd::stdin);
        exec.env().values().forEach(cmd::redact);
        try {
            return runner.run(cmd.build());
        } catch (SandboxTimeoutException e) {
            killInside.run();
            throw new SandboxTimeoutException("command " + exec.command() + " did not finish within "
                    + exec.timeout().toMillis() + " ms; its processes were killed", exec.timeout(),
                    e.partialStdout(), e.partialStderr());
        } catch (SandboxException e) {
            if (Thread.currentThread().isInterrupted()) {
                // The runner killed the CLI client; the command itself still runs in the sandbox.
                boolean interrupted = Thread.interrupted();
                try {
                    killInside.run();
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            throw e;
        }
    }

    /**
     * Starts a CLI process that lives as long as its caller wants (an interactive exec, a followed log): stopped
     * with SIGKILL 200 ms after SIGTERM, and with {@code secrets} (environment values) redacted from the log.
     */
    public static RunningCommand open(CommandRunner runner, Command.Builder cmd, Collection<String> secrets) {
        cmd.grace(Duration.ofMillis(200));
        secrets.forEach(cmd::redact);
        return runner.start(cmd.build());
    }
}
