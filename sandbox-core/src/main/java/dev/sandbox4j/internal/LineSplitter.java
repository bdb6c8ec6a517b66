package dev.sandbox4j.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines and decodes each whole line as UTF-8, so a character split across reads is
 * never torn. Very long lines are delivered in pieces of at most {@code maxLine} bytes, cut on a character
 * boundary.
 */
public final class LineSplitter {
    private final Consumer<String> sink;
    private final int maxLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LineSplitter(Consumer<String> sink, int maxLine) {
        this.sink = sink;
        this.maxLine = maxLine;
    }

    public LineSplitter(Consumer<String> sink) {
        this(sink, 1 << 20);
    }

    public void accept(byte[] buf, int off, int len) {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (buf[i] == '\n') {
                line.write(buf, start, i - start);
                emit();
                start = i + 1;
            } else if (line.size() + (i - start) >= maxLine) {
                line.write(buf, start, i - start);
                start = i;
                emitPartial();
            }
        }
        line.write(buf, start, end - start);
    }

    private void emitPartial() {
        byte[] bytes = line.toByteArray();
        int cut = bytes.length;
        // Back off to a UTF-8 boundary: never cut between a lead byte and its continuation bytes.
        while (cut > 0 && (bytes[cut - 1] & 0xC0) == 0x80) {
            cut--;
        }
        if (cut > 0 && (bytes[cut - 1] & 0x80) != 0) {
            cut--;
        }
        if (cut == 0) {
            cut = bytes.length;
        }
        sink.accept(new String(bytes, 0, cut, StandardCharsets.UTF_8));
        line.reset();
        line.write(bytes, cut, bytes.length - cut);
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        int len = bytes.length;
        if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        sink.accept(new String(bytes, 0, len, StandardCharsets.UTF_8));
        line.reset();
    }

    /** Whether bytes of a line without terminator are waiting. */
    public boolean hasPartialLine() {
        return line.size() > 0;
    }

    /** Delivers a last line that had no terminator. */
    public void finish() {
        if (line.size() > 0) {
            emit();
        }
    }
}
