package dev.sandbox4j.kubernetes.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The bytes of one log stream, from the client's threads that write them to the one thread that reads them: the
 * reader sees the end of the stream once {@link #end(Throwable)} was called without a cause, an {@link IOException}
 * with the cause otherwise, and an {@link InterruptedIOException} (its interrupt status kept) when interrupted while
 * waiting. Unlike a {@link java.io.PipedInputStream} it does not care which threads write. Closing the writing side
 * does not end the stream (the client closes it before it says why the stream ended); unbounded.
 */
final class LogPipe extends OutputStream {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final InputStream input = new Input();
    private volatile Throwable cause;

    @Override
    public void write(int b) {
        chunks.add(new byte[] {(byte) b});
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (len > 0) {
            chunks.add(Arrays.copyOfRange(b, off, off + len));
        }
    }

    /**
     * Ends the stream: what was written before is still read.
     *
     * @param failure why the stream broke, or {@code null} if it ended
     */
    void end(Throwable failure) {
        cause = failure;
        chunks.add(END);
    }

    /** {@return the reading side} */
    InputStream input() {
        return input;
    }

    private final class Input extends InputStream {
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == chunk.length) {
                if (ended) {
                    return endOfStream();
                }
                try {
                    chunk = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the log stream");
                }
                pos = 0;
                ended = chunk == END;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        private int endOfStream() throws IOException {
            Throwable c = cause;
            if (c != null) {
                throw c instanceof IOException io ? io : new IOException(c.toString(), c);
            }
            return -1;
        }
    }
}
