package dev.sandbox4j;

/**
 * Receives a command's output while it runs, one line at a time (without the line terminator; a last line
 * without terminator is delivered when the stream ends). Lines are decoded as UTF-8 whole, so a multi-byte
 * character split across reads arrives intact. Called from reader threads; stdout and stderr calls may
 * interleave but each stream is delivered in order.
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
