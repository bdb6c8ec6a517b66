package dev.sandbox4j.egress.internal.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire format between the guest relay ({@code sandbox-egress/src/guest/sb4j-guest.c}) and the JVM, one
 * request per unix-socket connection. Pure: streams in, values out. Every frame is an 8-byte header and a
 * payload:
 * <pre>
 *   "SB4J" | version (1 byte, = 1) | type or status (1 byte) | payload length (2 bytes, big-endian) | payload
 * </pre>
 * Requests (relay to JVM): {@link #HELLO} (empty; "is this the Sandbox4j socket?"), {@link #CONNECT} (family 4
 * or 6, the address, the port big-endian: the connection's original destination), {@link #DNS} (one DNS query
 * message as sent over UDP). Replies (JVM to relay) carry a status: {@link #OK}, {@link #DENIED},
 * {@link #FAILED}, {@link #BAD_REQUEST}. After an OK to CONNECT the connection carries the TCP stream both ways,
 * each half-close passed on; after an OK to DNS the payload is the DNS response. Anything else ends the
 * connection. The guest side is untrusted: the JVM decides everything, so a workload that speaks this protocol
 * itself gets exactly the same answers.
 */
public final class RelayProtocol {
    /** The four bytes every frame starts with: ASCII {@code SB4J}. Do not modify the array. */
    public static final byte[] MAGIC = "SB4J".getBytes(StandardCharsets.US_ASCII);
    /** The protocol version, the fifth byte of every frame. */
    public static final int VERSION = 1;
    /** The length of a frame header in bytes. */
    public static final int HEADER = 8;

    /** Request type: "is this the Sandbox4j socket?", with an empty payload. */
    public static final int HELLO = 0;
    /** Request type: open a TCP connection; the payload is the family (4 or 6), the address and the port. */
    public static final int CONNECT = 1;
    /** Request type: answer the DNS query in the payload. */
    public static final int DNS = 2;

    /** Reply status: done; after CONNECT the stream follows, after DNS the payload is the response. */
    public static final int OK = 0;
    /** Reply status: the policy forbids it; the payload is a reason. */
    public static final int DENIED = 1;
    /**
     * Reply status: allowed but it could not be done (say, the destination did not answer); the payload is a reason.
     */
    public static final int FAILED = 2;
    /** Reply status: the request broke the protocol; the connection is closed after it. */
    public static final int BAD_REQUEST = 3;

    private RelayProtocol() {
    }

    /** A frame that does not follow the format; the connection is answered {@link #BAD_REQUEST} and closed. */
    public static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * An exception saying how the frame breaks the format.
         *
         * @param message what is wrong with the frame
         */
        public ProtocolException(String message) {
            super(message);
        }
    }

    /** One request from the relay. */
    public sealed interface Request permits Hello, Connect, Dns {
    }

    /** "Is this the Sandbox4j socket?" */
    public record Hello() implements Request {
    }

    /** Open a TCP connection to {@code destination} (the connection's original destination in the guest). */
    public record Connect(InetSocketAddress destination) implements Request {
    }

    /**
     * Answer one DNS query.
     *
     * @param message the DNS query message as sent over UDP, at least 12 bytes; copied
     */
    public record Dns(byte[] message) implements Request {
        /**
         * Copies the message.
         *
         * @param message the DNS query message as sent over UDP, at least 12 bytes; copied
         */
        public Dns {
            message = message.clone();
        }

        /** {@return the DNS query message; a fresh copy on each call} */
        @Override
        public byte[] message() {
            return message.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Dns d && Arrays.equals(message, d.message);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(message);
        }

        @Override
        public String toString() {
            return "Dns[" + message.length + " bytes]";
        }
    }

    /**
     * Reads one request; EOF before a full frame is an {@link java.io.EOFException}.
     *
     * @param in the connection's input, positioned at a frame
     * @return the request
     * @throws ProtocolException if the frame breaks the format (wrong magic or version, unknown type, bad payload)
     * @throws IOException if reading fails or the stream ends early
     */
    public static Request readRequest(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] h = new byte[HEADER];
        d.readFully(h);
        if (!Arrays.equals(Arrays.copyOf(h, 4), MAGIC)) {
            throw new ProtocolException("not a Sandbox4j relay frame");
        }
        if ((h[4] & 0xFF) != VERSION) {
            throw new ProtocolException("relay protocol version " + (h[4] & 0xFF) + " is not " + VERSION);
        }
        int type = h[5] & 0xFF;
        int length = ((h[6] & 0xFF) << 8) | (h[7] & 0xFF);
        byte[] payload = new byte[length];
        d.readFully(payload);
        switch (type) {
            case HELLO:
                if (length != 0) {
                    throw new ProtocolException("HELLO carries no payload");
                }
                return new Hello();
            case CONNECT:
                return new Connect(destination(payload));
            case DNS:
                if (length < 12) {
                    throw new ProtocolException("a DNS message has at least 12 bytes, got " + length);
                }
                return new Dns(payload);
            default:
                throw new ProtocolException("unknown request type " + type);
        }
    }

    private static InetSocketAddress destination(byte[] p) throws ProtocolException {
        int family = p.length == 0 ? 0 : p[0];
        int size = family == 4 ? 4 : family == 6 ? 16 : -1;
        if (size < 0 || p.length != 1 + size + 2) {
            throw new ProtocolException("CONNECT needs family 4 or 6, the address and a port");
        }
        int port = ((p[1 + size] & 0xFF) << 8) | (p[2 + size] & 0xFF);
        if (port == 0) {
            throw new ProtocolException("CONNECT to port 0");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(p, 1, 1 + size)), port);
        } catch (UnknownHostException e) {
            throw new ProtocolException("bad address: " + e.getMessage());
        }
    }

    /**
     * The bytes of a request frame (what the guest relay sends); for tests and clients.
     *
     * @param r the request
     * @return the whole frame, header and payload
     */
    public static byte[] request(Request r) {
        if (r instanceof Hello) {
            return frame(HELLO, new byte[0]);
        }
        if (r instanceof Dns dns) {
            return frame(DNS, dns.message);
        }
        InetSocketAddress a = ((Connect) r).destination();
        byte[] ip = a.getAddress().getAddress();
        byte[] p = new byte[1 + ip.length + 2];
        p[0] = (byte) (ip.length == 4 ? 4 : 6);
        System.arraycopy(ip, 0, p, 1, ip.length);
        p[p.length - 2] = (byte) (a.getPort() >> 8);
        p[p.length - 1] = (byte) a.getPort();
        return frame(CONNECT, p);
    }

    /**
     * Writes a reply frame and flushes.
     *
     * @param out     the connection's output
     * @param status  {@link #OK}, {@link #DENIED}, {@link #FAILED} or {@link #BAD_REQUEST}
     * @param payload the payload, at most 65535 bytes
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if the payload is longer than 65535 bytes
     */
    public static void writeReply(OutputStream out, int status, byte[] payload) throws IOException {
        out.write(frame(status, payload));
        out.flush();
    }

    /**
     * A reply with a short UTF-8 reason (for the guest's log), cut to 1024 bytes.
     *
     * @param out    the connection's output
     * @param status {@link #OK}, {@link #DENIED}, {@link #FAILED} or {@link #BAD_REQUEST}
     * @param reason the reason text
     * @throws IOException if writing fails
     */
    public static void writeReply(OutputStream out, int status, String reason) throws IOException {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        writeReply(out, status, b.length > 1024 ? Arrays.copyOf(b, 1024) : b);
    }

    /**
     * Reads a reply: its status and payload.
     *
     * @param status  {@link #OK}, {@link #DENIED}, {@link #FAILED} or {@link #BAD_REQUEST}
     * @param payload the DNS response, or a reason
     */
    public record Reply(int status, byte[] payload) {
        /**
         * Copies the payload.
         *
         * @param status  {@link #OK}, {@link #DENIED}, {@link #FAILED} or {@link #BAD_REQUEST}
         * @param payload the DNS response, or a reason
         */
        public Reply {
            payload = payload.clone();
        }

        /** {@return the DNS response or the reason; a fresh copy on each call} */
        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reply r && r.status == status && Arrays.equals(payload, r.payload);
        }

        @Override
        public int hashCode() {
            return 31 * status + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Reply[status=" + status + ", " + payload.length + " bytes]";
        }
    }

    /**
     * Reads one reply frame; for tests and clients.
     *
     * @param in the connection's input, positioned at a reply
     * @return the reply
     * @throws ProtocolException if the header is not a version {@value #VERSION} Sandbox4j header
     * @throws IOException if reading fails or the stream ends early
     */
    public static Reply readReply(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] h = new byte[HEADER];
        d.readFully(h);
        if (!Arrays.equals(Arrays.copyOf(h, 4), MAGIC) || (h[4] & 0xFF) != VERSION) {
            throw new ProtocolException("not a version " + VERSION + " Sandbox4j relay reply");
        }
        byte[] payload = new byte[((h[6] & 0xFF) << 8) | (h[7] & 0xFF)];
        d.readFully(payload);
        return new Reply(h[5] & 0xFF, payload);
    }

    static byte[] frame(int typeOrStatus, byte[] payload) {
        if (payload.length > 0xFFFF) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds 65535");
        }
        byte[] f = new byte[HEADER + payload.length];
        System.arraycopy(MAGIC, 0, f, 0, 4);
        f[4] = (byte) VERSION;
        f[5] = (byte) typeOrStatus;
        f[6] = (byte) (payload.length >> 8);
        f[7] = (byte) payload.length;
        System.arraycopy(payload, 0, f, HEADER, payload.length);
        return f;
    }
}
