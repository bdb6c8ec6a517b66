package dev.sandbox4j.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;

/** A long-lived OS process whose streams the caller owns. Closing it kills the process tree. */
public interface RunningCommand extends AutoCloseable {
    /** {@return the process's standard input; closing it sends end-of-file} */
    OutputStream stdin();

    /** {@return the process's standard output, which the caller must drain} */
    InputStream stdout();

    /** {@return the process's standard error, which the caller must drain} */
    InputStream stderr();

    /** {@return whether the process is still running} */
    boolean isAlive();

    /**
     * Waits up to {@code timeout} for the process to exit.
     *
     * @param timeout how long to wait at most
     * @return the exit code, or empty if still running
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    OptionalInt waitFor(Duration timeout) throws InterruptedException;

    /** {@return the process id of the started process on this host} */
    long pid();

    /** Terminates the process tree: SIGTERM, then SIGKILL after a short grace. Idempotent. */
    @Override
    void close();
}
