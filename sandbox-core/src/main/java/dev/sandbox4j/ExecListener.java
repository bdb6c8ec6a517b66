package dev.sandbox4j;

/**
 * Receives a command's output while it runs, one line at a time (without the line terminator; a last line
 * without terminator is delivered when the stream ends). Lines are decoded as UTF-8 whole, so a multi-byte
 * character split across reads arrives intact. Called from the thread that reads the output; stdout and stderr
 * calls may interleave but each stream is delivered in order.
 *
 * <p>For execs through a sandbox's exec session and for background processes, that thread is the one that
 * serves the output of every sandbox in the JVM: a listener should return quickly and must not block (hand slow
 * work to an executor of your own), or the output of all sandboxes waits for it. An {@code exec} made from a
 * listener runs, but as one runtime CLI process (the plain path).
 */
public interface ExecListener {
    /** A listener that ignores everything. */
    ExecListener NONE = new ExecListener() {
    };

    /**
     * Called with each line the command writes to standard output; does nothing unless overridden.
     *
     * @param line the line, without its terminator
     */
    default void onStdout(String line) {
    }

    /**
     * Called with each line the command writes to standard error; does nothing unless overridden.
     *
     * @param line the line, without its terminator
     */
    default void onStderr(String line) {
    }
}
