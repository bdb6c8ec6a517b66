package dev.sandbox4j.cli;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Runs one command in a running sandbox through the runtime's interactive exec and passes its bytes through
 * unchanged: stdout and stderr as they come (binary data and {@code \r} progress intact), and with {@code -i}
 * this process's stdin to the command's, closed at end of input. With {@code -t} the command runs on a
 * pseudo-terminal in the sandbox (its stderr then arrives on stdout, as on any terminal), and when this process's
 * stdin is a terminal too, that terminal is in raw mode while the command reads it.
 */
final class RawExec {
    private RawExec() {
    }

    /** The environment variable that marks the processes of one exec, so a timeout can find and kill them all. */
    static final String MARKER = "SANDBOX4J_CLI_EXEC";

    /**
     * Runs {@code exec}'s command, user, environment and terminal setting, and returns its exit code; stdin,
     * time limit and output limit of {@code exec} are not used. At the time limit, the runtime's exec client is
     * stopped and every process in the sandbox that carries this exec's marker is killed.
     */
    static int run(RuntimeBackend backend, String containerId, Exec exec, SandboxCli.Io io, boolean stdin,
                   Duration timeout) {
        String marker = UUID.randomUUID().toString();
        Exec marked = exec.toBuilder().env(MARKER, marker).build();
        RunningCommand command = backend.openExec(containerId, marked);
        HostTerminal.Restore terminal = exec.tty() && stdin ? HostTerminal.rawStdin() : () -> { };
        try {
            Thread out = pump(command.stdout(), io.out(), "sandbox-stdout");
            Thread err = pump(command.stderr(), io.err(), "sandbox-stderr");
            if (stdin) {
                Thread in = new Thread(() -> feed(io.in(), command.stdin()), "sandbox-stdin");
                in.setDaemon(true);
                in.start();
            } else {
                command.stdin().close();
            }
            OptionalInt code = command.waitFor(timeout);
            if (code.isEmpty()) {
                command.close();
                killMarked(backend, containerId, marker);
                out.join(Duration.ofSeconds(5).toMillis());
                err.join(Duration.ofSeconds(5).toMillis());
                throw new SandboxTimeoutException("the command did not finish within " + timeout.toMillis()
                        + " ms and was killed: raise --timeout", timeout);
            }
            out.join();
            err.join();
            return code.getAsInt();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while the command ran", e);
        } catch (IOException e) {
            throw new SandboxException("could not talk to the command in the sandbox: " + e.getMessage(), e);
        } finally {
            terminal.close();
            command.close();
        }
    }

    /** Kills what is left of a timed-out exec inside the sandbox: every process whose environment has its marker. */
    private static void killMarked(RuntimeBackend backend, String containerId, String marker) {
        String script = "for e in /proc/[0-9]*/environ; do "
                + "if tr '\\0' '\\n' < \"$e\" 2>/dev/null | grep -qx '" + MARKER + "=" + marker + "'; then "
                + "p=${e#/proc/}; kill -KILL \"${p%/environ}\" 2>/dev/null; fi; done; true";
        try {
            backend.exec(containerId, Exec.builder("/bin/sh", "-c", script).mode(ExecMode.PLAIN)
                    .timeout(Duration.ofSeconds(30)).build(), ExecListener.NONE);
        } catch (SandboxException e) {
            // no shell in the image, or the sandbox is gone: the command ends with the sandbox
        }
    }

    /** Copies {@code from} to {@code to} as bytes arrive, on a daemon thread, until end of stream or an error. */
    static Thread pump(InputStream from, OutputStream to, String name) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = from.read(buffer)) >= 0) {
                    synchronized (to) {
                        to.write(buffer, 0, n);
                        to.flush();
                    }
                }
            } catch (IOException e) {
                // the process ended or was killed; what it wrote so far has been passed on
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void feed(InputStream from, OutputStream to) {
        byte[] buffer = new byte[8192];
        try (to) {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // the command stopped reading (it exited); the rest of our input is not wanted
        }
    }
}
