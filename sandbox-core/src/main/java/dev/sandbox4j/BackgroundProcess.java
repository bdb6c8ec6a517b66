package dev.sandbox4j;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A command running in the background inside a sandbox, started by {@link Sandbox#start(Exec, ExecListener)}:
 * its output streams to the listener while it runs, its standard input stays open for
 * {@link #writeStdin(byte[])}, and it can be signalled, waited for and killed. The command runs in its own
 * process group; signals and {@link #kill()} reach the whole group.
 *
 * <pre>{@code
 * try (BackgroundProcess server = sandbox.start(Exec.of("httpd", "-f", "-p", "8080"), listener)) {
 *     // ... talk to it ...
 * }   // close() kills it (and everything in its process group)
 * }</pre>
 *
 * Closing the sandbox closes every background process it started. Instances are safe for use from several
 * threads.
 */
public interface BackgroundProcess extends AutoCloseable {

    /** {@return the command as started, program first} */
    List<String> command();

    /** {@return whether the command is still running} */
    boolean isAlive();

    /**
     * Writes bytes to the command's standard input and flushes them. Waits first until any initial standard
     * input given in the {@link Exec} has been written.
     *
     * @param bytes the bytes to write
     * @throws SandboxException if standard input was closed, the write fails (for example because the command
     *         has exited) or the thread is interrupted while waiting
     */
    void writeStdin(byte[] bytes);

    /**
     * Writes text as UTF-8 to the command's standard input; see {@link #writeStdin(byte[])}.
     *
     * @param text the text to write
     * @throws SandboxException if standard input was closed or the write fails
     */
    default void writeStdin(String text) {
        writeStdin(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Closes the command's standard input: it reads end-of-file. Idempotent. */
    void closeStdin();

    /**
     * Sends a signal to the command's process group: a name with or without the {@code SIG} prefix
     * ({@code "TERM"}, {@code "SIGINT"}) or a number ({@code "15"}). Does nothing once the command has exited.
     *
     * @param signal the signal name or number, case-insensitive
     * @throws SandboxConfigException if {@code signal} is not a signal name or number
     * @throws SandboxException if the signal could not be sent and the command still runs
     */
    void signal(String signal);

    /**
     * Sends signal number {@code signal} to the command's process group; see {@link #signal(String)}.
     *
     * @param signal the signal number, such as 15 for SIGTERM
     * @throws SandboxConfigException if {@code signal} is not a valid signal number
     */
    default void signal(int signal) {
        signal(Integer.toString(signal));
    }

    /**
     * Sends SIGKILL to the command's process group. Does nothing once the command has exited.
     *
     * @throws SandboxException if the signal could not be sent and the command still runs
     */
    default void kill() {
        signal("KILL");
    }

    /**
     * Waits up to {@code timeout} for the command to exit.
     *
     * @param timeout how long to wait at most
     * @return its result (all output kept, up to {@link Exec#maxOutputBytes()} per stream), or empty if it is
     *         still running
     * @throws SandboxException if the thread is interrupted while waiting
     */
    Optional<ExecResult> waitFor(Duration timeout);

    /**
     * {@return the exit code once the command has exited (128 + n when signal n killed it), or empty while it runs}
     */
    OptionalInt exitCode();

    /** Kills the command's process group if it still runs and releases everything held for it. Idempotent. */
    @Override
    void close();
}
