package dev.sandbox4j.kubernetes.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Keeps every byte written (up to a cap) and hands each complete UTF-8 line to a listener as it arrives. */
final class LineForwarder extends OutputStream {
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Consumer<String> listener;
    private final int cap;
    private long dropped;

    LineForwarder(Consumer<String> listener, int cap) {
        this.listener = listener;
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int keep = (int) Math.max(0, Math.min(len, (long) cap - all.size()));
        all.write(b, off, keep);
        dropped += len - keep;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                emit();
            } else {
                line.write(b[i]);
            }
        }
    }

    private void emit() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        listener.accept(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s);
    }

    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            emit();
        }
    }

    synchronized byte[] bytes() {
        return all.toByteArray();
    }

    synchronized long dropped() {
        return dropped;
    }
}
