package dev.sandbox4j.examples.net;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP and TCP, one free port) for demos and tests: answers A
 * queries for the names it was given, NOERROR without data for other types of those names, NXDOMAIN for
 * everything else. It never asks anyone else, so a sandbox whose policy names it as upstream resolves only
 * these names and the machine's resolver is never used. Records every name it was asked, so a demo can show
 * that denied names never reached it.
 */
public final class LocalDnsServer implements AutoCloseable {
    private static final long TTL = 60;

    private final Map<Name, InetAddress> hosts = new LinkedHashMap<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile boolean closed;

    private LocalDnsServer(Map<String, String> hosts) throws IOException {
        for (Map.Entry<String, String> e : hosts.entrySet()) {
            this.hosts.put(absolute(e.getKey()), InetAddress.getByName(e.getValue()));
        }
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int attempt = 0; attempt < 20 && t == null; attempt++) {
            u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 16, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                u.close();
            }
        }
        if (t == null) {
            throw new IOException("no free port on 127.0.0.1 for both UDP and TCP");
        }
        this.udp = u;
        this.tcp = t;
        daemon("local-dns-udp", this::serveUdp);
        daemon("local-dns-tcp", this::serveTcp);
    }

    /**
     * Starts a server on a free port of 127.0.0.1 that answers {@code hosts} (name to IPv4 literal, e.g.
     * {@code "api.allowed.example" -> "192.0.2.80"}).
     *
     * @param hosts name to IPv4 literal
     * @return the running server; close it to stop it
     * @throws IOException if no port is free for both UDP and TCP
     */
    public static LocalDnsServer start(Map<String, String> hosts) throws IOException {
        return new LocalDnsServer(hosts);
    }

    /** {@return where it listens (UDP and TCP): give it to {@code EgressPolicy.withUpstream}} */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    /** {@return every query name it received, lowercase without the trailing dot, in order; a snapshot} */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    private static Name absolute(String name) throws TextParseException {
        return Name.fromString(name.endsWith(".") ? name : name + ".");
    }

    byte[] answer(byte[] query) {
        Message request;
        try {
            request = new Message(query);
        } catch (IOException e) {
            return null;  // not DNS: drop it
        }
        Message response = new Message(request.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (request.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = request.getQuestion();
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response.toWire();
        }
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        String text = name.toString(true).toLowerCase(Locale.ROOT);
        asked.add(text);
        InetAddress address = hosts.entrySet().stream().filter(e -> e.getKey().equals(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        if (address == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (question.getType() == Type.A && question.getDClass() == DClass.IN) {
            response.addRecord(new ARecord(name, DClass.IN, TTL, address), Section.ANSWER);
        }
        return response.toWire();
    }

    private void serveUdp() {
        byte[] buf = new byte[4096];
        while (!closed) {
            try {
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                udp.receive(packet);
                byte[] query = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                byte[] reply = answer(query);
                if (reply != null) {
                    udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            try {
                Socket s = tcp.accept();
                daemon("local-dns-tcp-conn", () -> serveTcpConnection(s));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serveTcpConnection(Socket s) {
        try (s) {
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                int length = in.readUnsignedShort();
                byte[] query = new byte[length];
                in.readFully(query);
                byte[] reply = answer(query);
                if (reply == null) {
                    return;
                }
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (SocketException | java.io.EOFException | java.net.SocketTimeoutException e) {
            // client done
        } catch (IOException e) {
            // client went away
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
