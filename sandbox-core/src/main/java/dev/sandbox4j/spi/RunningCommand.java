package dev.sandbox4j.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * A long-lived OS process whose streams the caller owns. Closing it kills the process tree.
 *
 * <p>Its output is consumed in one of two ways, never both: by reading {@link #stdout()} and {@link #stderr()}
 * (a thread per stream), or by {@link #pump} (the process hands each chunk to a sink as it arrives). Long-lived
 * processes that Sandbox4j starts for every sandbox use {@link #pump}, so that an open sandbox costs no thread.
 */
public interface RunningCommand extends AutoCloseable {
    /** {@return the process's standard input; closing it sends end-of-file} */
    OutputStream stdin();

    /** {@return the process's standard output, which the caller must drain; not available once {@link #pump} was called} */
    InputStream stdout();

    /** {@return the process's standard error, which the caller must drain; not available once {@link #pump} was called} */
    InputStream stderr();

    /**
     * Delivers the process's stdout and stderr to two sinks as the bytes arrive, and runs {@code onEnd} once
     * both streams have ended (the process and every descendant that held them closed them, or {@link #close()}
     * released them). Returns at once.
     *
     * <ul>
     *   <li>Each sink is called by one thread at a time, with the stream's bytes in order; the two sinks may be
     *       called concurrently or one after the other, in any interleaving.</li>
     *   <li>The array passed to a sink is reused after the call returns: copy what you keep.</li>
     *   <li>{@code onEnd} runs exactly once, after the last sink call. The system runner has run it by the time
     *       {@link #close()} returns; with the default threads, wait for it after {@link #close()} if no later
     *       sink call may happen.</li>
     *   <li>A sink or {@code onEnd} that throws is logged at WARN; the rest of that stream is read and discarded,
     *       so the process never blocks on a full pipe.</li>
     *   <li><b>Sinks must return quickly and must never block</b> (on a lock held by someone waiting for this
     *       process, on I/O, on a queue): the system runner serves the output of every process it starts from one
     *       shared thread, and a blocked sink stalls the output of all of them.</li>
     * </ul>
     *
     * <p>Call it at most once, before reading {@link #stdout()} or {@link #stderr()}; afterwards those are not
     * available (the system runner throws {@link IllegalStateException}). The default implementation reads
     * {@link #stdout()} and {@link #stderr()} on two daemon threads named {@code sandbox4j-pump-<pid>-stdout}
     * and {@code -stderr}, which suits implementations that only have streams.
     *
     * @param stdout receives the process's standard output
     * @param stderr receives the process's standard error
     * @param onEnd  runs once after both streams have ended
     * @throws IllegalStateException if the output is already being read or pumped
     */
    default void pump(ByteSink stdout, ByteSink stderr, Runnable onEnd) {
        StreamPumps.start(this, stdout, stderr, onEnd);
    }

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

    /**
     * Terminates the process tree: SIGTERM, then SIGKILL after a short grace, and releases the streams (ending a
     * {@link #pump}). Idempotent.
     */
    @Override
    void close();

    /** Receives the bytes of one output stream of a {@link RunningCommand}; see {@link RunningCommand#pump}. */
    @FunctionalInterface
    interface ByteSink {
        /**
         * Takes the next {@code length} bytes of the stream, at {@code bytes[offset]}; valid only during the call.
         *
         * @param bytes  the buffer, reused after the call returns
         * @param offset where the bytes start in {@code bytes}
         * @param length how many bytes there are
         */
        void accept(byte[] bytes, int offset, int length);
    }
}
