package dev.sandbox4j.internal;

import java.util.Arrays;

/** A byte buffer that keeps at most {@code max} bytes and counts what it dropped. Thread-confined. */
public final class BoundedBuffer {
    private final int max;
    private byte[] data = new byte[256];
    private int size;
    private long dropped;

    public BoundedBuffer(int max) {
        this.max = max;
    }

    public void write(byte[] buf, int off, int len) {
        int keep = Math.min(len, max - size);
        if (keep > 0) {
            if (size + keep > data.length) {
                long grown = Math.max((long) data.length * 2, (long) size + keep);
                data = Arrays.copyOf(data, (int) Math.min(grown, max));
            }
            System.arraycopy(buf, off, data, size, keep);
            size += keep;
        }
        dropped += len - Math.max(keep, 0);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(data, size);
    }

    public long dropped() {
        return dropped;
    }

    public int size() {
        return size;
    }
}
