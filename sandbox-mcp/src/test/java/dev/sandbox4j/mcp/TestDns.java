package dev.sandbox4j.mcp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A DNS upstream on 127.0.0.1 (UDP) that answers A queries for the names it was given and NXDOMAIN for the rest,
 * asking no one else: the sandbox's interceptor is pointed at it, never at the machine's resolver.
 */
final class TestDns implements AutoCloseable {
    private final Map<String, String> hosts;
    private final DatagramSocket socket;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    TestDns(Map<String, String> hosts) throws IOException {
        this.hosts = Map.copyOf(hosts);
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::serve, "test-dns");
        t.setDaemon(true);
        t.start();
    }

    /** {@code 127.0.0.1:PORT}, for {@code --upstream}. */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** The names asked so far, without the trailing dot. */
    List<String> asked() {
        return List.copyOf(asked);
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.AA);
                r.getHeader().setFlag(Flags.RD);
                Record question = q.getQuestion();
                r.addRecord(question, Section.QUESTION);
                String name = question.getName().toString(true).toLowerCase(java.util.Locale.ROOT);
                asked.add(name);
                String ip = hosts.get(name);
                if (ip == null) {
                    r.getHeader().setRcode(Rcode.NXDOMAIN);
                } else if (question.getType() == Type.A) {
                    r.addRecord(new ARecord(Name.fromString(name + "."), DClass.IN, 60, InetAddress.getByName(ip)),
                            Section.ANSWER);
                }
                byte[] wire = r.toWire();
                socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
