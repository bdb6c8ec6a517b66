package dev.sandbox4j.egress.internal.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The benchmarks' upstream: answers every A query on 127.0.0.1 with one TEST-NET address (192.0.2.1, TTL 300),
 * on two threads, so forwarded-name throughput measures the forwarder, not this server. UDP only.
 */
final class WildcardAuthority implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetAddress answer;

    WildcardAuthority() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setReceiveBufferSize(4 << 20);
        answer = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(this::serve, "bench-authority-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Record question = q.getQuestion();
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.AA);
                r.getHeader().setFlag(Flags.RA);
                r.addRecord(question, Section.QUESTION);
                if (question.getType() == Type.A) {
                    r.addRecord(new ARecord(question.getName(), DClass.IN, 300, answer), Section.ANSWER);
                } else {
                    r.getHeader().setRcode(Rcode.NOERROR);
                }
                byte[] wire = r.toWire(512);
                socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
