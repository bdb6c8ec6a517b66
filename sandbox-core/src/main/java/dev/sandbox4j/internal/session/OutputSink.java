package dev.sandbox4j.internal.session;

import dev.sandbox4j.internal.BoundedBuffer;
import dev.sandbox4j.internal.LineSplitter;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one output stream of one command goes: a bounded buffer for the result and a line splitter for the
 * listener. Fed by one reader thread; {@link #snapshot()} may be called from any thread. A listener that throws
 * is logged and does not stop the collection.
 */
final class OutputSink {
    private static final Logger LOG = LoggerFactory.getLogger(OutputSink.class);

    private final BoundedBuffer buffer;
    private final LineSplitter lines;
    private boolean listenerFailed;

    OutputSink(int maxBytes, Consumer<String> listener) {
        this.buffer = new BoundedBuffer(maxBytes);
        this.lines = new LineSplitter(listener);
    }

    /** Adds bytes to the buffer and to the line splitter. */
    synchronized void write(byte[] b, int off, int len) {
        write(b, off, len, off);
    }

    /** Adds bytes to the buffer, and only those from {@code linesFrom} on to the line splitter. */
    synchronized void write(byte[] b, int off, int len, int linesFrom) {
        if (len <= 0) {
            return;
        }
        buffer.write(b, off, len);
        int end = off + len;
        if (linesFrom < end) {
            guard(() -> lines.accept(b, linesFrom, end - linesFrom));
        }
    }

    /** Whether the line splitter holds the start of a line that has no terminator yet. */
    synchronized boolean hasPartialLine() {
        return lines.hasPartialLine();
    }

    /** Passes a line terminator to the line splitter only (not to the buffer). */
    synchronized void terminateLine() {
        guard(() -> lines.accept(new byte[] {'\n'}, 0, 1));
    }

    /** Delivers a last line without terminator. */
    synchronized void finish() {
        guard(lines::finish);
    }

    synchronized byte[] bytes() {
        return buffer.toByteArray();
    }

    synchronized long dropped() {
        return buffer.dropped();
    }

    synchronized String snapshot() {
        return new String(buffer.toByteArray(), StandardCharsets.UTF_8);
    }

    private void guard(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            if (!listenerFailed) {
                listenerFailed = true;
                LOG.warn("output listener failed; output is still collected", e);
            }
        }
    }
}
