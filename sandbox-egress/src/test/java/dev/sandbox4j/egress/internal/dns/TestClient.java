package dev.sandbox4j.egress.internal.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/** A stub resolver for tests: sends one query over UDP or TCP on loopback and returns the parsed reply. */
final class TestClient {
    private final InetSocketAddress server;

    TestClient(InetSocketAddress server) {
        this.server = server;
    }

    static Message query(String name, int type, int dclass, boolean edns, EDNSOption... options) {
        try {
            Message m = new Message();
            m.getHeader().setFlag(Flags.RD);
            m.addRecord(Record.newRecord(Name.fromString(name), type, dclass), Section.QUESTION);
            if (edns) {
                m.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
            }
            return m;
        } catch (TextParseException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    static Message query(String name, int type) {
        return query(name, type, DClass.IN, true);
    }

    Message udp(Message query) throws IOException {
        byte[] reply = udpRaw(query.toWire(), 3000);
        if (reply == null) {
            throw new SocketTimeoutException("no UDP reply to " + query.getQuestion());
        }
        return new Message(reply);
    }

    /** The raw reply, or null when none came within the timeout. */
    byte[] udpRaw(byte[] packet, int timeoutMs) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(server);
            s.setSoTimeout(timeoutMs);
            s.send(new DatagramPacket(packet, packet.length));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOf(buf, p.getLength());
        }
    }

    Message tcp(Message query) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, 3000);
            s.setSoTimeout(5000);
            byte[] q = query.toWire();
            OutputStream os = s.getOutputStream();
            os.write(new byte[] {(byte) (q.length >>> 8), (byte) q.length});
            os.write(q);
            os.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] r = new byte[in.readUnsignedShort()];
            in.readFully(r);
            return new Message(r);
        }
    }
}
