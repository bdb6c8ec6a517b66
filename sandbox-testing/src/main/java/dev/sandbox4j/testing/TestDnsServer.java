package dev.sandbox4j.testing;

import dev.sandbox4j.SandboxConfigException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS server for tests, on one port for UDP and TCP (by default a free port of 127.0.0.1):
 * give its {@link #address()} to {@code EgressPolicy.withUpstream} and a sandbox resolves only what the test
 * declared, without the machine's resolver ever being asked. It serves records given as zone-file lines, follows
 * CNAMEs inside its own data as a recursive resolver would, answers NXDOMAIN for names it does not know, and
 * records every query it receives, so a test can prove which names reached "upstream" and which did not.
 *
 * <pre>{@code
 * try (TestDnsServer dns = TestDnsServer.builder()
 *         .host("api.allowed.example", "203.0.113.10")
 *         .start()) {
 *     EgressPolicy policy = EgressPolicy.denyAll().allow("api.allowed.example").withUpstream(dns.address());
 *     // ... run a sandbox under the policy, then:
 *     dns.queriedNames();   // ["api.allowed.example."]: a denied name never left the sandbox
 * }
 * }</pre>
 *
 * <p>Scripted behaviours, for tests of resolvers and interceptors, can be set on the running server at any time:
 * {@linkplain #rcode forced response codes}, {@linkplain #rotate rotating address pools},
 * {@linkplain #truncateOverUdp truncation}, {@linkplain #pollute unrelated records},
 * {@linkplain #spoofFirst a spoofed reply first}, {@linkplain #silence silence}. It is not a recursive resolver and
 * does no DNSSEC, zone transfers or dynamic updates. {@link #close()} stops it; it is idempotent.
 */
public final class TestDnsServer implements AutoCloseable {
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final InetSocketAddress address;
    private final Name origin;
    private final InetAddress anyName;
    private final long anyNameTtl;
    private final boolean recordQueries;
    private final List<Record> records = new CopyOnWriteArrayList<>();
    private final List<Query> queries = new ArrayList<>();
    private final Set<String> truncated = ConcurrentHashMap.newKeySet();
    private final Set<String> polluted = ConcurrentHashMap.newKeySet();
    private final Set<String> spoofed = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> rcodes = new ConcurrentHashMap<>();
    private final Map<String, Integer> rcodesWithRecords = new ConcurrentHashMap<>();
    private final Map<String, Rotation> rotations = new ConcurrentHashMap<>();
    private final List<Thread> serving = new ArrayList<>();
    /** Open TCP connections, closed by {@link #close()} so none is answered afterwards. */
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean silent;
    private volatile boolean closed;

    private record Rotation(long ttl, int perAnswer, List<InetAddress> pool, AtomicInteger next) {
    }

    /**
     * One query as the server received it.
     *
     * @param name             the query name, lowercase and absolute (with the trailing dot)
     * @param type             the query type's mnemonic ({@code "A"}, {@code "AAAA"}, {@code "TXT"}, ...)
     * @param tcp              whether it came over TCP (else UDP)
     * @param id               the message ID
     * @param recursionDesired whether the RD flag was set
     * @param edns             the query's EDNS (OPT record), or {@link Edns#ABSENT}
     */
    public record Query(String name, String type, boolean tcp, int id, boolean recursionDesired, Edns edns) {
    }

    /**
     * The EDNS part (RFC 6891) of a query: what its OPT record said.
     *
     * @param present     whether the query had an OPT record at all
     * @param payloadSize the UDP payload size the client advertised (0 when absent)
     * @param dnssecOk    whether the DO bit was set
     * @param optionCodes the codes of the EDNS options it carried (client subnet is 8, cookie 10, ...), in order
     */
    public record Edns(boolean present, int payloadSize, boolean dnssecOk, List<Integer> optionCodes) {
        /** A query without an OPT record. */
        public static final Edns ABSENT = new Edns(false, 0, false, List.of());

        /**
         * Copies the option codes.
         *
         * @param present     whether the query had an OPT record at all
         * @param payloadSize the UDP payload size the client advertised (0 when absent)
         * @param dnssecOk    whether the DO bit was set
         * @param optionCodes the codes of the EDNS options it carried, in order
         * @throws NullPointerException if {@code optionCodes} is null
         */
        public Edns {
            optionCodes = List.copyOf(optionCodes);
        }
    }

    private TestDnsServer(Builder b) throws IOException {
        this.origin = b.origin;
        this.anyName = b.anyName;
        this.anyNameTtl = b.anyNameTtl.toSeconds();
        this.recordQueries = b.recordQueries;
        this.records.addAll(b.records);
        InetSocketAddress bind = b.bind;
        DatagramSocket u = null;
        ServerSocket t = null;
        if (bind.getPort() != 0) {
            u = bindUdp(bind);
            try {
                t = new ServerSocket(bind.getPort(), 50, bind.getAddress());
            } catch (IOException e) {
                u.close();
                throw new IOException("TCP port " + bind + " is taken (UDP was free): choose another port, or port 0 "
                        + "for a free one", e);
            }
        } else {
            for (int attempt = 0; attempt < 20 && t == null; attempt++) {
                u = bindUdp(bind);
                try {
                    t = new ServerSocket(u.getLocalPort(), 50, bind.getAddress());
                } catch (IOException e) {
                    u.close();
                }
            }
            if (t == null) {
                throw new IOException("no port of " + bind.getAddress().getHostAddress()
                        + " was free for both UDP and TCP in 20 attempts");
            }
        }
        this.udp = u;
        this.tcp = t;
        this.address = new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
        try {
            udp.setReceiveBufferSize(4 << 20);
        } catch (IOException e) {
            udp.close();
            tcp.close();
            throw e;
        }
        for (int i = 0; i < 2; i++) {
            serving.add(daemon("test-dns-udp-" + i, this::serveUdp));
        }
        serving.add(daemon("test-dns-tcp", this::serveTcp));
    }

    private static DatagramSocket bindUdp(InetSocketAddress bind) throws IOException {
        try {
            return new DatagramSocket(bind);
        } catch (BindException e) {
            throw new BindException("cannot listen on " + bind.getAddress().getHostAddress() + ":"
                    + bind.getPort() + " (" + e.getMessage() + "): give an address of this host (127.0.0.1 by "
                    + "default, or the host side of a FakeInternet's link while it runs) and a free port, or 0 for any");
        }
    }

    /** {@return a builder for a server on a free port of 127.0.0.1 that knows no names yet} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return where it listens, for UDP and TCP alike: give it to {@code EgressPolicy.withUpstream}; after
     * {@link #close()}, where it listened}
     */
    public InetSocketAddress address() {
        return address;
    }

    /** {@return every query received so far, oldest first; a snapshot (empty when queries are not recorded)} */
    public List<Query> queries() {
        synchronized (queries) {
            return List.copyOf(queries);
        }
    }

    /** {@return the name of every query received so far, lowercase and absolute, oldest first; a snapshot} */
    public List<String> queriedNames() {
        return queries().stream().map(Query::name).toList();
    }

    /**
     * Adds a record, as a zone-file line {@code NAME TTL TYPE RDATA}: {@code "www 60 A 192.0.2.10"},
     * {@code "alias 120 CNAME www"}, {@code "txt 60 TXT \"hello\""}. Names without a trailing dot are relative to
     * the {@linkplain Builder#origin origin}.
     *
     * @param line the record
     * @throws SandboxConfigException if the line is not a record, saying what is wrong
     */
    public void add(String line) {
        records.add(parse(line, origin));
    }

    /**
     * Answers {@code name} with this response code and nothing else, until changed again.
     *
     * @param name  the name, relative to the origin unless absolute
     * @param rcode the numeric response code (RFC 1035 and 6891): 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...
     * @throws SandboxConfigException if the name or code is invalid
     */
    public void rcode(String name, int rcode) {
        rcodes.put(key(name), checkRcode(rcode));
    }

    /**
     * Answers {@code name} with its records as usual, but under this response code: an NXDOMAIN or SERVFAIL that
     * still carries addresses, say. Codes above 15 go into the OPT record's extended code (RFC 6891).
     *
     * @param name  the name, relative to the origin unless absolute
     * @param rcode the numeric response code, 0 to 4095
     * @throws SandboxConfigException if the name or code is invalid
     */
    public void rcodeWithRecords(String name, int rcode) {
        rcodesWithRecords.put(key(name), checkRcode(rcode));
    }

    /**
     * Answers A queries for {@code name} with the next {@code perAnswer} addresses of {@code pool} (wrapping
     * around), so every query gets fresh addresses, as a zone handing out throwaway addresses would; other types
     * get an empty NOERROR.
     *
     * @param name      the name, relative to the origin unless absolute
     * @param ttl       the TTL of each answer, whole seconds
     * @param perAnswer how many addresses each answer holds, at least 1
     * @param pool      the IPv4 literals to hand out, at least one
     * @throws SandboxConfigException if an argument is invalid
     */
    public void rotate(String name, Duration ttl, int perAnswer, List<String> pool) {
        if (perAnswer < 1 || pool.isEmpty() || ttl.isNegative()) {
            throw new SandboxConfigException("rotate(" + name + ", " + ttl + ", " + perAnswer + ", " + pool
                    + "): give a TTL of zero or more, at least one address per answer and a non-empty pool");
        }
        List<InetAddress> addresses = pool.stream().map(a -> literal(a, "rotate")).toList();
        for (InetAddress a : addresses) {
            if (a.getAddress().length != 4) {
                throw new SandboxConfigException("rotate(" + name + "): '" + a.getHostAddress() + "' is not an IPv4 "
                        + "literal: a rotating name answers A queries, so give IPv4 addresses such as 192.0.2.10");
            }
        }
        rotations.put(key(name), new Rotation(ttl.toSeconds(), perAnswer, addresses, new AtomicInteger()));
    }

    /**
     * Answers {@code name} over UDP with the TC flag and no records, so a client must retry over TCP, where it gets
     * the real answer.
     *
     * @param name the name, relative to the origin unless absolute
     * @throws SandboxConfigException if the name is invalid
     */
    public void truncateOverUdp(String name) {
        truncated.add(key(name));
    }

    /**
     * Adds unrelated records to every answer for {@code name}: an A record of {@code unrelated.example.} in the
     * answer, an NS record delegating the origin to {@code ns.evil.example.} in the authority section, and that
     * server's address (198.51.100.53) in the additional section: what a poisoning upstream sends along.
     *
     * @param name the name, relative to the origin unless absolute
     * @throws SandboxConfigException if the name is invalid
     */
    public void pollute(String name) {
        polluted.add(key(name));
    }

    /**
     * Over UDP, sends a forged reply for {@code name} first (another message ID, the address 203.0.113.66), then
     * the real one: a client that does not check IDs takes the forgery.
     *
     * @param name the name, relative to the origin unless absolute
     * @throws SandboxConfigException if the name is invalid
     */
    public void spoofFirst(String name) {
        spoofed.add(key(name));
    }

    /**
     * Stops or resumes answering: a silent server still receives and records queries but never replies (TCP
     * connections are closed instead), so clients time out.
     *
     * @param silent whether to stay silent; the default is {@code false}
     */
    public void silence(boolean silent) {
        this.silent = silent;
    }

    private String key(String name) {
        return absolute(name, origin).toString().toLowerCase(Locale.ROOT);
    }

    private static int checkRcode(int rcode) {
        if (rcode < 0 || rcode > 4095) {
            throw new SandboxConfigException("response code " + rcode + " is out of range: give 0 to 4095 "
                    + "(2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...)");
        }
        return rcode;
    }

    static Name absolute(String name, Name origin) {
        try {
            return Name.fromString(name, origin);
        } catch (TextParseException e) {
            throw new SandboxConfigException("'" + name + "' is not a DNS name: " + e.getMessage(), e);
        }
    }

    static Record parse(String line, Name origin) {
        String[] f = line.strip().split("\\s+", 4);
        String usage = ": write NAME TTL TYPE RDATA, such as \"www 60 A 192.0.2.10\"";
        if (f.length < 4) {
            throw new SandboxConfigException("'" + line + "' is not a record" + usage);
        }
        long ttl;
        try {
            ttl = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            throw new SandboxConfigException("'" + line + "': the TTL '" + f[1] + "' is not a number of seconds"
                    + usage, e);
        }
        int type = Type.value(f[2]);
        if (type < 0) {
            throw new SandboxConfigException("'" + line + "': '" + f[2] + "' is not a record type (A, AAAA, CNAME, "
                    + "TXT, ...)" + usage);
        }
        try {
            return Record.fromString(absolute(f[0], origin), type, DClass.IN, ttl, f[3], origin);
        } catch (IOException | RuntimeException e) {
            throw new SandboxConfigException("'" + line + "': bad data for a " + f[2] + " record: " + e.getMessage()
                    + usage, e);
        }
    }

    static InetAddress literal(String address, String what) {
        if (address.isEmpty() || !(address.contains(":") || address.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new SandboxConfigException(what + ": '" + address + "' is not an IP address literal: give one "
                    + "such as 203.0.113.10 or 2001:db8::10");
        }
        try {
            return InetAddress.getByName(address);
        } catch (IOException e) {
            throw new SandboxConfigException(what + ": '" + address + "' is not an IP address literal: give one "
                    + "such as 203.0.113.10 or 2001:db8::10", e);
        }
    }

    /** The reply to a query, or null to drop it. */
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
            r.getHeader().setRcode(forced & 0xf);
            return r;
        }
        Rotation rotation = rotations.get(qn);
        if (rotation != null) {
            if (question.getType() == Type.A) {
                for (int i = 0; i < rotation.perAnswer(); i++) {
                    InetAddress a = rotation.pool().get(Math.floorMod(rotation.next().getAndIncrement(),
                            rotation.pool().size()));
                    r.addRecord(address(question.getName(), rotation.ttl(), a), Section.ANSWER);
                }
            }
            return r;
        }
        if (!overTcp && truncated.contains(qn)) {
            r.getHeader().setFlag(Flags.TC);
            return r;
        }
        Name current = question.getName();
        boolean known = false;
        for (int step = 0; step < 10; step++) {
            boolean followed = false;
            for (Record rec : records) {
                if (!rec.getName().equals(current)) {
                    continue;
                }
                known = true;
                if (rec instanceof CNAMERecord cname && question.getType() != Type.CNAME) {
                    r.addRecord(rec, Section.ANSWER);
                    current = cname.getTarget();
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
        if (!known && anyName != null) {
            known = true;
            if (question.getType() == Type.A) {
                r.addRecord(address(question.getName(), anyNameTtl, anyName), Section.ANSWER);
            }
        }
        if (!known) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        if (polluted.contains(qn)) {
            try {
                r.addRecord(new ARecord(Name.fromString("unrelated.example."), DClass.IN, 60,
                        InetAddress.getByName("203.0.113.99")), Section.ANSWER);
                r.addRecord(Record.fromString(origin, Type.NS, DClass.IN, 60, "ns.evil.example.", Name.root),
                        Section.AUTHORITY);
                r.addRecord(new ARecord(Name.fromString("ns.evil.example."), DClass.IN, 60,
                        InetAddress.getByName("198.51.100.53")), Section.ADDITIONAL);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return r;
    }

    private static Record address(Name name, long ttl, InetAddress a) {
        return a.getAddress().length == 4 ? new ARecord(name, DClass.IN, ttl, a) : new AAAARecord(name, DClass.IN, ttl, a);
    }

    /** Parses a query; null (drop it) when it is not a DNS query with a question. */
    private static Message query(byte[] wire) {
        try {
            Message q = new Message(wire);
            return q.getQuestion() == null || q.getHeader().getFlag(Flags.QR) ? null : q;
        } catch (IOException e) {
            return null;
        }
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                Message q = query(Arrays.copyOf(buf, p.getLength()));
                if (q == null) {
                    continue;
                }
                record(q, false);
                if (silent) {
                    continue;
                }
                if (spoofed.contains(q.getQuestion().getName().toString().toLowerCase(Locale.ROOT))) {
                    Message fake = answer(q, false);
                    fake.getHeader().setID((q.getHeader().getID() + 1) & 0xffff);
                    fake.removeAllRecords(Section.ANSWER);
                    fake.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60,
                            InetAddress.getByName("203.0.113.66")), Section.ANSWER);
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
            try {
                Socket s = tcp.accept();
                connections.add(s);
                if (closed) {
                    s.close();
                    return;
                }
                daemon("test-dns-tcp-connection", () -> serveTcpConnection(s));
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
            while (!closed) {
                byte[] data = new byte[in.readUnsignedShort()];
                in.readFully(data);
                Message q = query(data);
                if (q == null) {
                    return;
                }
                record(q, true);
                if (silent) {
                    return;
                }
                byte[] reply = answer(q, true).toWire();
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (EOFException e) {
            // the client is done
        } catch (IOException | RuntimeException e) {
            // the client went away, or sent something that is not DNS, or the server closed
        } finally {
            connections.remove(s);
        }
    }

    private void record(Message q, boolean overTcp) {
        if (!recordQueries) {
            return;
        }
        Record question = q.getQuestion();
        OPTRecord opt = q.getOPT();
        Edns edns = opt == null ? Edns.ABSENT : new Edns(true, opt.getPayloadSize(),
                (opt.getFlags() & ExtendedFlags.DO) != 0, opt.getOptions().stream().map(EDNSOption::getCode).toList());
        Query seen = new Query(question.getName().toString().toLowerCase(Locale.ROOT), Type.string(question.getType()),
                overTcp, q.getHeader().getID(), q.getHeader().getFlag(Flags.RD), edns);
        synchronized (queries) {
            queries.add(seen);
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Stops the server: closes its sockets, open TCP connections included, so nothing is answered afterwards; its
     * port is free again when this returns. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        // a socket closed while a thread is blocked on it is released when that thread returns
        for (Thread t : serving) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "TestDnsServer[" + address.getAddress().getHostAddress() + ":" + address.getPort() + "]";
    }

    /**
     * Configures a {@link TestDnsServer}. Mutable and not thread-safe; {@link #start()} may be called more than
     * once, each time starting another server.
     */
    public static final class Builder {
        private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private Name origin = Name.root;
        private final List<Record> records = new ArrayList<>();
        private InetAddress anyName;
        private Duration anyNameTtl = Duration.ofSeconds(300);
        private boolean recordQueries = true;

        private Builder() {
        }

        /**
         * Where to listen, for UDP and TCP on the same port. The default is a free port of 127.0.0.1 (port 0);
         * another address serves upstreams that a network namespace must reach, such as the host side of a
         * {@link FakeInternet}'s link.
         *
         * @param address an address of this host and a port, 0 for a free one
         * @return this builder
         * @throws SandboxConfigException if the address is unresolved (a host name, not an IP address)
         */
        public Builder bind(InetSocketAddress address) {
            if (address.isUnresolved()) {
                throw new SandboxConfigException("bind(" + address + "): give an IP address of this host, such as "
                        + "new InetSocketAddress(\"127.0.0.1\", 0), not a host name");
            }
            this.bind = address;
            return this;
        }

        /**
         * The origin that names without a trailing dot are relative to, in records and in the scripted behaviours.
         * The default is the root, so {@code "api.example"} means {@code api.example.}; with the origin
         * {@code "test.example"}, {@code "www"} means {@code www.test.example.}. Records added before this call keep
         * the origin they were added under.
         *
         * @param origin a DNS name
         * @return this builder
         * @throws SandboxConfigException if it is not a DNS name
         */
        public Builder origin(String origin) {
            this.origin = absolute(origin.endsWith(".") ? origin : origin + ".", Name.root);
            return this;
        }

        /**
         * Adds a record as a zone-file line {@code NAME TTL TYPE RDATA}, such as {@code "www 60 A 192.0.2.10"} or
         * {@code "alias 120 CNAME www"}; see {@link TestDnsServer#add}.
         *
         * @param line the record
         * @return this builder
         * @throws SandboxConfigException if the line is not a record, saying what is wrong
         */
        public Builder record(String line) {
            records.add(parse(line, origin));
            return this;
        }

        /**
         * Adds an address record (A for IPv4, AAAA for IPv6) with a TTL of 60 seconds.
         *
         * @param name    the name, relative to the origin unless it ends with a dot
         * @param address an IP address literal, such as {@code 203.0.113.10}
         * @return this builder
         * @throws SandboxConfigException if the name or the address is invalid
         */
        public Builder host(String name, String address) {
            InetAddress a = literal(address, "host(" + name + ", " + address + ")");
            records.add(TestDnsServer.address(absolute(name, origin), 60, a));
            return this;
        }

        /**
         * Answers A queries for every name it has no records for with this address instead of NXDOMAIN (other
         * types get an empty NOERROR): an upstream that knows every name, for load tests. Off by default.
         *
         * @param ipv4 an IPv4 literal, such as {@code 192.0.2.1}
         * @param ttl  the TTL of those answers, whole seconds
         * @return this builder
         * @throws SandboxConfigException if the address is not an IPv4 literal or the TTL is negative
         */
        public Builder answerEveryName(String ipv4, Duration ttl) {
            InetAddress a = literal(ipv4, "answerEveryName(" + ipv4 + ")");
            if (a.getAddress().length != 4 || ttl.isNegative()) {
                throw new SandboxConfigException("answerEveryName(" + ipv4 + ", " + ttl + "): give an IPv4 literal, "
                        + "such as 192.0.2.1, and a TTL of zero or more");
            }
            this.anyName = a;
            this.anyNameTtl = ttl;
            return this;
        }

        /**
         * Whether to record every query for {@link TestDnsServer#queries()}. The default is {@code true}; turn it
         * off for load tests, where the record would only grow.
         *
         * @param record whether to record queries
         * @return this builder
         */
        public Builder recordQueries(boolean record) {
            this.recordQueries = record;
            return this;
        }

        /**
         * Starts a server with this configuration; it answers as soon as this returns.
         *
         * @return the running server; close it to stop it
         * @throws IOException if the address cannot be bound for UDP and TCP (not an address of this host, or the
         *                     port is taken), saying which
         */
        public TestDnsServer start() throws IOException {
            return new TestDnsServer(this);
        }
    }
}
