package dev.sandbox4j.egress.internal.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Re-originates a query upstream: a fresh message (new random ID, our own EDNS with no options, RD set) built from
 * the checked name and type only, sent over UDP from a fresh connected socket (random source port; replies from
 * any other address are discarded by the kernel), retried over TCP when the reply is truncated. Replies whose ID,
 * flags or question do not match are ignored. Upstreams are tried in order within one deadline.
 */
final class UpstreamClient {
    /** Our advertised EDNS buffer (the DNS flag day 2020 value). */
    static final int EDNS_SIZE = 1232;

    private final List<InetSocketAddress> upstreams;
    private final long attemptNanos;
    private final long deadlineNanos;
    private final SecureRandom random = new SecureRandom();

    UpstreamClient(List<InetSocketAddress> upstreams, java.time.Duration attempt, java.time.Duration deadline) {
        this.upstreams = List.copyOf(upstreams);
        this.attemptNanos = attempt.toNanos();
        this.deadlineNanos = deadline.toNanos();
    }

    /** An upstream's answer, or why none could be had. */
    record Result(Message answer, InetSocketAddress upstream, long latencyNanos, String failure) {
        boolean ok() {
            return answer != null;
        }
    }

    Result query(Name name, int type) {
        long start = System.nanoTime();
        long deadline = start + deadlineNanos;
        StringBuilder failures = new StringBuilder();
        for (InetSocketAddress upstream : upstreams) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            int id = random.nextInt(0x10000);
            Message query = newQuery(name, type, id);
            String why;
            try {
                Message answer = udp(upstream, query, Math.min(attemptNanos, remaining));
                if (answer != null && answer.getHeader().getFlag(Flags.TC)) {
                    remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        why = "truncated over UDP and no time left for TCP";
                        append(failures, upstream, why);
                        break;
                    }
                    id = random.nextInt(0x10000);
                    query = newQuery(name, type, id);
                    answer = tcp(upstream, query, Math.min(attemptNanos, remaining));
                }
                if (answer == null) {
                    why = "no matching answer in time";
                } else {
                    int rcode = answer.getRcode();
                    if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                        return new Result(answer, upstream, System.nanoTime() - start, null);
                    }
                    why = "answered " + Rcode.string(rcode);
                }
            } catch (SocketTimeoutException e) {
                why = "timed out";
            } catch (IOException e) {
                why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            append(failures, upstream, why);
        }
        if (failures.length() == 0) {
            failures.append("no time left to ask any upstream");
        }
        return new Result(null, null, System.nanoTime() - start, failures.toString());
    }

    private static void append(StringBuilder sb, InetSocketAddress upstream, String why) {
        sb.append(sb.length() == 0 ? "" : "; ").append(upstream.getAddress().getHostAddress()).append(':')
                .append(upstream.getPort()).append(' ').append(why);
    }

    private static Message newQuery(Name name, int type, int id) {
        Message m = new Message(id);
        m.getHeader().setFlag(Flags.RD);
        m.addRecord(Record.newRecord(name, type, DClass.IN), Section.QUESTION);
        m.addRecord(new OPTRecord(EDNS_SIZE, 0, 0, 0), Section.ADDITIONAL);
        return m;
    }

    private static Message udp(InetSocketAddress upstream, Message query, long timeoutNanos) throws IOException {
        byte[] out = query.toWire();
        long deadline = System.nanoTime() + timeoutNanos;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(upstream);
            socket.send(new DatagramPacket(out, out.length));
            byte[] buf = new byte[65535];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                Message answer = matching(query, buf, p.getLength());
                if (answer != null) {
                    return answer;
                }
            }
        }
    }

    private static Message tcp(InetSocketAddress upstream, Message query, long timeoutNanos) throws IOException {
        byte[] out = query.toWire();
        int timeoutMs = (int) Math.max(1, timeoutNanos / 1_000_000);
        try (Socket socket = new Socket()) {
            socket.connect(upstream, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream os = socket.getOutputStream();
            byte[] framed = new byte[out.length + 2];
            framed[0] = (byte) (out.length >>> 8);
            framed[1] = (byte) out.length;
            System.arraycopy(out, 0, framed, 2, out.length);
            os.write(framed);
            os.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int len = in.readUnsignedShort();
            byte[] buf = new byte[len];
            in.readFully(buf);
            return matching(query, buf, len);
        }
    }

    /** The parsed reply if it answers this query (ID, QR, opcode, one question equal to ours), else null. */
    static Message matching(Message query, byte[] buf, int len) {
        if (len < 12) {
            return null;
        }
        Message answer;
        try {
            answer = new Message(java.util.Arrays.copyOf(buf, len));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (answer.getHeader().getID() != query.getHeader().getID() || !answer.getHeader().getFlag(Flags.QR)
                || answer.getHeader().getOpcode() != Opcode.QUERY) {
            return null;
        }
        Record q = answer.getQuestion();
        Record mine = query.getQuestion();
        if (answer.getSection(Section.QUESTION).size() != 1 || q == null || !q.getName().equals(mine.getName())
                || q.getType() != mine.getType() || q.getDClass() != mine.getDClass()) {
            return null;
        }
        return answer;
    }
}
