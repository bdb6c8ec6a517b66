package dev.sandbox4j.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;

/** A long-lived OS process whose streams the caller owns. Closing it kills the process tree. */
public interface RunningCommand extends AutoCloseable {
    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    boolean isAlive();

    /** Waits up to {@code timeout}; the exit code, or empty if still running. */
    OptionalInt waitFor(Duration timeout) throws InterruptedException;

    long pid();

    /** Terminates the process tree: SIGTERM, then SIGKILL after a short grace. Idempotent. */
    @Override
    void close();
}
