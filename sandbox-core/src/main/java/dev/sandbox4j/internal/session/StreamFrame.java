package dev.sandbox4j.internal.session;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Cuts one command's share out of one stream of a session channel (see {@link ExecSessions} for the protocol):
 * skips everything before the start marker {@code <token> S\n}, optionally reads a {@code P <pid>\n} header,
 * passes the payload to an {@link OutputSink} while it arrives, and stops at the end marker
 * {@code \n<token> E}, whose rest of line (the exit code on stdout) it keeps as the trailer.
 *
 * <p>Bytes that might be the beginning of the end marker are held back until the next read tells; since the
 * marker begins with a newline, a held-back newline that ends a partial line is still shown to the line listener
 * at once (if it turns out to be the marker's, the listener got exactly the unterminated last line it would have
 * got at the end anyway). Fed by one reader thread.
 */
final class StreamFrame {
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_LINE = 256;

    private enum State { SEEK_START, HEADER, PAYLOAD, TRAILER, DONE }

    private final byte[] start;
    private final byte[] end;
    private final boolean header;
    private final OutputSink sink;
    private final CountDownLatch done = new CountDownLatch(1);

    private State state = State.SEEK_START;
    private byte[] carry = EMPTY;
    /** Whether carry[0] (a held-back newline) was already passed to the line listener. */
    private boolean carryNewlineShown;
    private volatile boolean started;
    private volatile long pid = -1;
    private volatile String trailer;
    private volatile String failure;

    StreamFrame(String token, boolean header, OutputSink sink) {
        this.start = (token + " S\n").getBytes(StandardCharsets.US_ASCII);
        this.end = ("\n" + token + " E").getBytes(StandardCharsets.US_ASCII);
        this.header = header;
        this.sink = sink;
    }

    /** Feeds the next bytes read from the stream. */
    void feed(byte[] buf, int off, int len) {
        if (state == State.DONE) {
            return;
        }
        byte[] data = buf;
        int from = off;
        int to = off + len;
        boolean shown = false;
        if (carry.length > 0) {
            data = new byte[carry.length + len];
            System.arraycopy(carry, 0, data, 0, carry.length);
            System.arraycopy(buf, off, data, carry.length, len);
            from = 0;
            to = data.length;
            shown = carryNewlineShown;
            carry = EMPTY;
            carryNewlineShown = false;
        }
        while (from < to && state != State.DONE) {
            switch (state) {
                case SEEK_START -> {
                    int i = indexOf(data, from, to, start);
                    if (i < 0) {
                        carry = Arrays.copyOfRange(data, Math.max(from, to - (start.length - 1)), to);
                        from = to;
                    } else {
                        from = i + start.length;
                        started = true;
                        state = header ? State.HEADER : State.PAYLOAD;
                    }
                }
                case HEADER -> {
                    if (data[from] != 'P') {
                        state = State.PAYLOAD;
                    } else {
                        int nl = indexOf(data, from, to, new byte[] {'\n'});
                        if (nl < 0) {
                            carryOrFail(data, from, to, "pid header");
                            from = to;
                        } else {
                            pid = parsePid(new String(data, from + 1, nl - from - 1, StandardCharsets.US_ASCII));
                            from = nl + 1;
                            state = State.PAYLOAD;
                        }
                    }
                }
                case PAYLOAD -> {
                    int i = indexOf(data, from, to, end);
                    if (i >= 0) {
                        sink.write(data, from, i - from, shown && from == 0 ? from + 1 : from);
                        from = i + end.length;
                        state = State.TRAILER;
                    } else {
                        int keep = partialSuffix(data, from, to);
                        sink.write(data, from, to - keep - from, shown && from == 0 ? from + 1 : from);
                        if (keep > 0) {
                            carry = Arrays.copyOfRange(data, to - keep, to);
                            boolean carryIsShownNewline = shown && from == 0 && to - keep == 0;
                            if (!carryIsShownNewline && sink.hasPartialLine()) {
                                sink.terminateLine();
                                carryIsShownNewline = true;
                            }
                            carryNewlineShown = carryIsShownNewline;
                        }
                        from = to;
                    }
                    shown = false;
                }
                case TRAILER -> {
                    int nl = indexOf(data, from, to, new byte[] {'\n'});
                    if (nl < 0) {
                        carryOrFail(data, from, to, "end marker");
                        from = to;
                    } else {
                        trailer = new String(data, from, nl - from, StandardCharsets.US_ASCII).strip();
                        from = nl + 1;
                        state = State.DONE;
                        sink.finish();
                        done.countDown();
                    }
                }
                default -> from = to;
            }
        }
    }

    private void carryOrFail(byte[] data, int from, int to, String what) {
        if (to - from > MAX_LINE) {
            fail("malformed " + what + " on the session channel");
        } else {
            carry = Arrays.copyOfRange(data, from, to);
        }
    }

    /** The stream ended or broke before the end marker. */
    void fail(String reason) {
        if (state != State.DONE) {
            failure = reason;
            state = State.DONE;
            done.countDown();
        }
    }

    boolean await(long nanos) throws InterruptedException {
        return done.await(nanos, TimeUnit.NANOSECONDS);
    }

    boolean isDone() {
        return done.getCount() == 0;
    }

    /** Whether the start marker arrived: the shell has begun this command. */
    boolean started() {
        return started;
    }

    /** The pid from the header, or -1. */
    long pid() {
        return pid;
    }

    /** The rest of the end marker's line, stripped; null until done. */
    String trailer() {
        return trailer;
    }

    /** Why the frame ended without its end marker; null if it did not. */
    String failure() {
        return failure;
    }

    OutputSink sink() {
        return sink;
    }

    private static long parsePid(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The length of the longest proper suffix of data[from, to) that is a prefix of the end marker. */
    private int partialSuffix(byte[] data, int from, int to) {
        for (int k = Math.min(end.length - 1, to - from); k > 0; k--) {
            int s = to - k;
            if (data[s] != '\n') {
                continue;
            }
            boolean match = true;
            for (int j = 1; j < k; j++) {
                if (data[s + j] != end[j]) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return k;
            }
        }
        return 0;
    }

    static int indexOf(byte[] data, int from, int to, byte[] needle) {
        byte first = needle[0];
        int last = to - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (data[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
