package dev.sandbox4j.egress.internal.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A tiny authoritative DNS server for tests, on 127.0.0.1 (UDP and TCP, one ephemeral port). Serves records
 * given as zone-file lines, follows CNAMEs inside its own data like a recursive resolver would, and records every
 * query it receives so tests can prove what reached "upstream". Constructed test data only: addresses are
 * TEST-NET (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) or deliberately bad ones.
 */
public final class TestAuthority implements AutoCloseable {
    public static final String ZONE = "test.sandbox4j.example.";

    /** One query as the authority saw it. */
    public record Seen(String name, int type, boolean tcp, int id, OPTRecord opt, boolean rd) {
    }

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final List<Record> records = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** Names answered with TC=1 (and no records) over UDP. */
    private final List<String> truncateOverUdp = new CopyOnWriteArrayList<>();
    /** Names whose answers also carry unrelated records in every section. */
    private final List<String> polluted = new CopyOnWriteArrayList<>();
    /** Names for which a reply with a wrong ID and a bad address is sent first. */
    private final List<String> spoofFirst = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> rcodes = new ConcurrentHashMap<>();
    /** Names answered with their records as usual, but under another rcode (extended ones through the OPT). */
    private final Map<String, Integer> rcodesWithRecords = new ConcurrentHashMap<>();
    /** Names whose A answers rotate through a pool: an attacker's zone handing out fresh addresses. */
    private final Map<String, Rotation> rotations = new ConcurrentHashMap<>();

    private record Rotation(long ttl, int perAnswer, List<String> pool, AtomicInteger next) {
    }
    private volatile boolean silent;
    private volatile boolean closed;

    public TestAuthority() throws IOException {
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int i = 0; i < 20 && t == null; i++) {
            u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                u.close();
            }
        }
        if (t == null) {
            throw new IOException("no free port pair");
        }
        udp = u;
        tcp = t;
        serve();
    }

    /**
     * An authority on a given address and port (UDP and TCP), for upstreams that must be reached from another
     * network namespace, such as the host side of the fake internet's link.
     */
    public TestAuthority(InetSocketAddress bind) throws IOException {
        udp = new DatagramSocket(bind);
        try {
            tcp = new ServerSocket(bind.getPort(), 50, bind.getAddress());
        } catch (IOException e) {
            udp.close();
            throw e;
        }
        serve();
    }

    private void serve() {
        Thread ut = new Thread(this::serveUdp, "test-authority-udp");
        ut.setDaemon(true);
        ut.start();
        Thread tt = new Thread(this::serveTcp, "test-authority-tcp");
        tt.setDaemon(true);
        tt.start();
    }

    /** The standard test zone. */
    public static TestAuthority withZone() throws IOException {
        TestAuthority a = new TestAuthority();
        a.add("www 60 A 192.0.2.10");
        a.add("v6 60 AAAA 2001:db8::10");
        a.add("dual 60 A 198.51.100.20");
        a.add("dual 60 AAAA 2001:db8::20");
        a.add("alias 120 CNAME www");
        a.add("alias2 30 CNAME alias");
        a.add("to-denied 60 CNAME bad.denied.example.");
        a.add("bad.denied.example. 60 A 198.51.100.66");
        a.add("loop1 60 CNAME loop2");
        a.add("loop2 60 CNAME loop1");
        a.add("loopback 60 A 127.0.0.1");
        a.add("private 60 A 10.1.2.3");
        a.add("cgnat 60 A 100.64.0.1");
        a.add("linklocal 60 A 169.254.10.10");
        a.add("metadata 60 A 169.254.169.254");
        a.add("metadata6 60 AAAA fd00:ec2::254");
        a.add("mapped 60 AAAA ::ffff:127.0.0.1");
        a.add("nat64 60 AAAA 64:ff9b::a01:203");
        a.add("ula 60 AAAA fd12:3456::1");
        a.add("unspecified 60 A 0.0.0.0");
        a.add("mixed 60 A 192.0.2.20");
        a.add("mixed 60 A 127.0.0.1");
        a.add("extra 60 A 192.0.2.30");
        a.add("short 0 A 192.0.2.40");
        a.add("long 86400 A 192.0.2.41");
        a.add("txt 60 TXT \"exfil\"");
        a.add("secret 60 A 192.0.2.99");
        a.add("p-alias 60 CNAME p-target");
        a.add("p-alias2 60 CNAME p-mid");
        a.add("p-mid 60 CNAME p-target");
        a.add("p-target 60 A 192.0.2.60");
        a.add("p-target 60 AAAA 2001:db8::60");
        a.add("negative 60 A 192.0.2.70");
        a.add("negative 60 AAAA 2001:db8::70");
        a.add("negative-alias 60 CNAME negative");
        for (int i = 1; i <= 100; i++) {
            a.add("big 60 A 203.0.113." + i);
        }
        for (int i = 1; i <= 20; i++) {
            a.add("many 60 A 198.51.100." + (100 + i));
        }
        a.truncateOverUdp.add(name("big"));
        a.polluted.add(name("extra"));
        a.spoofFirst.add(name("spoofed"));
        a.add("spoofed 60 A 192.0.2.50");
        return a;
    }

    public static String name(String relative) {
        return relative.endsWith(".") ? relative : relative + "." + ZONE;
    }

    public void add(String line) {
        String[] f = line.split("\\s+", 4);
        try {
            records.add(Record.fromString(Name.fromString(name(f[0])), Type.value(f[2]), DClass.IN,
                    Long.parseLong(f[1]), f[3], Name.fromString(ZONE)));
        } catch (IOException e) {
            throw new IllegalArgumentException(line, e);
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public List<String> seenNames() {
        return seen.stream().map(Seen::name).toList();
    }

    void silent(boolean silent) {
        this.silent = silent;
    }

    void rcode(String relative, int rcode) {
        rcodes.put(name(relative), rcode);
    }

    /**
     * Answers the name with its records as usual but with this rcode: an NXDOMAIN or SERVFAIL that still carries
     * A records, say. Rcodes above 15 go into the OPT record's extended rcode (RFC 6891).
     */
    public void rcodeWithRecords(String relative, int rcode) {
        rcodesWithRecords.put(name(relative), rcode);
    }

    /**
     * Answers A queries for the name with the next {@code perAnswer} addresses of the pool (wrapping around) at
     * the given TTL, so every query gets fresh addresses; other types get an empty NOERROR.
     */
    public void rotate(String relative, long ttl, int perAnswer, List<String> pool) {
        rotations.put(name(relative), new Rotation(ttl, perAnswer, List.copyOf(pool),
                new AtomicInteger()));
    }

    private Message answer(Message q, boolean overTcp) {
        Message r = records(q, overTcp);
        Integer forced = rcodesWithRecords.get(q.getQuestion().getName().toString().toLowerCase(Locale.ROOT));
        if (forced != null) {
            r.getHeader().setRcode(forced & 0xf);
            r.removeAllRecords(Section.ADDITIONAL);
            r.addRecord(new OPTRecord(1232, forced >>> 4, 0), Section.ADDITIONAL);
        }
        return r;
    }

    private Message records(Message q, boolean overTcp) {
        Record question = q.getQuestion();
        String qn = question.getName().toString().toLowerCase(Locale.ROOT);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        r.addRecord(question, Section.QUESTION);
        if (q.getOPT() != null) {
            r.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        }
        Integer forced = rcodes.get(qn);
        if (forced != null) {
            r.getHeader().setRcode(forced);
            return r;
        }
        Rotation rotation = rotations.get(qn);
        if (rotation != null) {
            if (question.getType() == Type.A) {
                for (int i = 0; i < rotation.perAnswer(); i++) {
                    String a = rotation.pool().get(rotation.next().getAndIncrement() % rotation.pool().size());
                    try {
                        r.addRecord(Record.fromString(question.getName(), Type.A, DClass.IN, rotation.ttl(), a,
                                Name.root), Section.ANSWER);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return r;
        }
        if (!overTcp && truncateOverUdp.contains(qn)) {
            r.getHeader().setFlag(Flags.TC);
            return r;
        }
        Name current = question.getName();
        boolean any = false;
        for (int step = 0; step < 10; step++) {
            boolean followed = false;
            for (Record rec : records) {
                if (!rec.getName().equals(current)) {
                    continue;
                }
                any = true;
                if (rec.getType() == Type.CNAME && question.getType() != Type.CNAME) {
                    r.addRecord(rec, Section.ANSWER);
                    current = ((org.xbill.DNS.CNAMERecord) rec).getTarget();
                    followed = true;
                    break;
                }
                if (rec.getType() == question.getType()) {
                    r.addRecord(rec, Section.ANSWER);
                }
            }
            if (!followed) {
                break;
            }
        }
        if (!any) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        if (polluted.contains(qn)) {
            try {
                r.addRecord(Record.fromString(Name.fromString("unrelated.example."), Type.A, DClass.IN, 60,
                        "203.0.113.99", Name.root), Section.ANSWER);
                r.addRecord(Record.fromString(Name.fromString(ZONE), Type.NS, DClass.IN, 60, "ns.evil.example.",
                        Name.root), Section.AUTHORITY);
                r.addRecord(Record.fromString(Name.fromString("ns.evil.example."), Type.A, DClass.IN, 60,
                        "198.51.100.53", Name.root), Section.ADDITIONAL);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return r;
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                Message q = new Message(Arrays.copyOf(buf, p.getLength()));
                record(q, false);
                if (silent) {
                    continue;
                }
                String qn = q.getQuestion().getName().toString().toLowerCase(Locale.ROOT);
                if (spoofFirst.contains(qn)) {
                    Message fake = answer(q, false);
                    fake.getHeader().setID((q.getHeader().getID() + 1) & 0xffff);
                    fake.removeAllRecords(Section.ANSWER);
                    fake.addRecord(Record.fromString(q.getQuestion().getName(), Type.A, DClass.IN, 60, "203.0.113.66",
                            Name.root), Section.ANSWER);
                    byte[] f = fake.toWire();
                    udp.send(new DatagramPacket(f, f.length, p.getSocketAddress()));
                }
                byte[] out = answer(q, false).toWire();
                udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(2000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                int len = in.readUnsignedShort();
                byte[] data = new byte[len];
                in.readFully(data);
                Message q = new Message(data);
                record(q, true);
                if (silent) {
                    continue;
                }
                byte[] out = answer(q, true).toWire();
                OutputStream os = s.getOutputStream();
                os.write(new byte[] {(byte) (out.length >>> 8), (byte) out.length});
                os.write(out);
                os.flush();
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void record(Message q, boolean overTcp) {
        Record question = q.getQuestion();
        seen.add(new Seen(question.getName().toString().toLowerCase(Locale.ROOT), question.getType(), overTcp,
                q.getHeader().getID(), q.getOPT(), q.getHeader().getFlag(Flags.RD)));
    }

    @Override
    public void close() throws IOException {
        closed = true;
        udp.close();
        tcp.close();
    }

    /** Records of a section, for assertions. */
    static List<Record> section(Message m, int section) {
        return new ArrayList<>(m.getSection(section));
    }
}
