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

    /** The command as started. */
    List<String> command();

    /** Whether the command is still running. */
    boolean isAlive();

    /** Writes bytes to the command's standard input and flushes them. */
    void writeStdin(byte[] bytes);

    /** Writes text as UTF-8 to the command's standard input. */
    default void writeStdin(String text) {
        writeStdin(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Closes the command's standard input: it reads end-of-file. Idempotent. */
    void closeStdin();

    /**
     * Sends a signal to the command's process group: a name with or without the {@code SIG} prefix
     * ({@code "TERM"}, {@code "SIGINT"}) or a number ({@code "15"}). Does nothing once the command has exited.
     */
    void signal(String signal);

    /** Sends signal number {@code signal} to the command's process group; see {@link #signal(String)}. */
    default void signal(int signal) {
        signal(Integer.toString(signal));
    }

    /** Sends SIGKILL to the command's process group. */
    default void kill() {
        signal("KILL");
    }

    /**
     * Waits up to {@code timeout} for the command to exit; its result (all output kept, up to
     * {@link Exec#maxOutputBytes()} per stream), or empty if it is still running.
     */
    Optional<ExecResult> waitFor(Duration timeout);

    /** The exit code once the command has exited (128 + n when signal n killed it). */
    OptionalInt exitCode();

    /** Kills the command's process group if it still runs and releases everything held for it. Idempotent. */
    @Override
    void close();
}
