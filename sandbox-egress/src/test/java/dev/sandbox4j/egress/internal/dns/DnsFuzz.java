package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Type;

/**
 * Throws seeded random and mutated DNS packets at a running interceptor over real UDP and TCP sockets. The same
 * seed gives the same packets. Long run: {@code mvn -pl sandbox-egress test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=dev.sandbox4j.egress.internal.dns.DnsFuzz
 * -Dexec.args="1000000 42"}, or run {@code DnsFuzzTest} with {@code -Dsandbox4j.fuzz.packets=1000000}.
 */
public final class DnsFuzz {
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.CNAME, Type.TXT, Type.HTTPS, Type.ANY, Type.MX,
            Type.NULL, Type.AXFR, 0, 65535};

    private final Random random;

    DnsFuzz(long seed) {
        this.random = new Random(seed);
    }

    /** The outcome of a run. */
    record Report(long packets, long tcpPackets, DnsInterceptor.Stats stats, List<Throwable> uncaught,
            boolean answersAfterwards) {
    }

    /** One packet: valid, mutated or random. */
    byte[] next() {
        int kind = random.nextInt(10);
        return switch (kind) {
            case 0 -> randomBytes(random.nextInt(600));
            case 1 -> valid();
            case 2 -> truncate(valid());
            case 3 -> labelLengthLie(valid());
            case 4 -> compressionLoop();
            case 5 -> hugeCounts(valid());
            case 6 -> {
                byte[] v = valid();
                v[2] = (byte) random.nextInt(256);
                v[3] = (byte) random.nextInt(256);
                yield v;
            }
            default -> bitFlips(valid(), 1 + random.nextInt(8));
        };
    }

    private byte[] valid() {
        StringBuilder name = new StringBuilder();
        int labels = 1 + random.nextInt(4);
        for (int i = 0; i < labels && name.length() < 160; i++) {
            int len = 1 + random.nextInt(random.nextInt(10) == 0 ? 63 : 12);
            for (int j = 0; j < len; j++) {
                name.append((char) ('a' + random.nextInt(26)));
            }
            name.append('.');
        }
        String zone = random.nextBoolean() ? TestZone.ZONE : "fuzz.attacker.example.";
        Message m = TestClient.query(name + zone, TYPES[random.nextInt(TYPES.length)],
                random.nextInt(8) == 0 ? DClass.CH : DClass.IN, random.nextBoolean());
        m.getHeader().setID(random.nextInt(0x10000));
        return m.toWire();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] truncate(byte[] b) {
        return java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
    }

    private byte[] bitFlips(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            int bit = random.nextInt(b.length * 8);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return b;
    }

    private byte[] labelLengthLie(byte[] b) {
        if (b.length > 12) {
            b[12] = (byte) random.nextInt(256); // first label length
        }
        return b;
    }

    private byte[] hugeCounts(byte[] b) {
        int field = 4 + 2 * random.nextInt(4);
        b[field] = (byte) 0xff;
        b[field + 1] = (byte) random.nextInt(256);
        return b;
    }

    /** A question whose name is a compression pointer to itself, or to a pointer chain, or forwards. */
    private byte[] compressionLoop() {
        byte[] b = new byte[12 + 2 + 2 + 4];
        b[0] = (byte) random.nextInt(256);
        b[1] = (byte) random.nextInt(256);
        b[5] = 1;
        int form = random.nextInt(3);
        int target = form == 0 ? 12 : form == 1 ? 14 : 0x3fff;
        b[12] = (byte) (0xc0 | (target >>> 8));
        b[13] = (byte) target;
        b[14] = (byte) 0xc0;
        b[15] = 12;
        b[17] = 1;
        b[19] = 1;
        return b;
    }

    /**
     * Runs {@code packets} packets against a fresh interceptor and upstream. One sending round in ten opens a TCP
     * connection and sends 20 framed packets (some with lying lengths), so about two thirds go over TCP.
     */
    static Report run(long seed, long packets) throws IOException, InterruptedException {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        try (TestDnsServer upstream = TestZone.start()) {
            DnsInterceptorConfig config = DnsInterceptorConfig.builder(EgressPolicy.denyAll()
                            .allow("**.test.sandbox4j.example"))
                    .upstreams(List.of(upstream.address()))
                    .recorder(new EgressRecorder("fuzz", 100))
                    .queriesPerSecond(1e9).queryBurst(1_000_000)
                    .workerQueue(100_000)
                    .tcpIdleTimeout(Duration.ofMillis(200))
                    .upstreamTimeout(Duration.ofMillis(200)).upstreamDeadline(Duration.ofMillis(400))
                    .uncaughtHandler(uncaught::add)
                    .build();
            try (DnsInterceptor interceptor = new DnsInterceptor(config).start()) {
                DnsFuzz fuzz = new DnsFuzz(seed);
                InetSocketAddress target = interceptor.address();
                long tcpPackets = 0;
                try (DatagramSocket udp = new DatagramSocket()) {
                    udp.connect(target);
                    long sent = 0;
                    while (sent < packets) {
                        if (fuzz.random.nextInt(10) == 0) {
                            int n = (int) Math.min(20, packets - sent);
                            tcpPackets += fuzz.overTcp(target, n);
                            sent += n;
                            continue;
                        }
                        byte[] p = fuzz.next();
                        udp.send(new DatagramPacket(p, p.length));
                        sent++;
                        if (sent % 200 == 0) {
                            awaitQuiet(interceptor, 50);
                        }
                    }
                }
                awaitQuiet(interceptor, 0);
                TestClient client = new TestClient(target);
                Message after = client.udp(TestClient.query("www." + TestZone.ZONE, Type.A));
                boolean ok = after.getRcode() == 0 && !after.getSection(1).isEmpty();
                return new Report(packets, tcpPackets, interceptor.stats(), List.copyOf(uncaught), ok);
            }
        }
    }

    private long overTcp(InetSocketAddress target, int n) {
        try (Socket s = new Socket()) {
            s.connect(target, 1000);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < n; i++) {
                byte[] p = next();
                int claimed = random.nextInt(20) == 0 ? random.nextInt(65536) : p.length;
                out.write(new byte[] {(byte) (claimed >>> 8), (byte) claimed});
                out.write(p);
            }
            out.flush();
            s.shutdownOutput();
            byte[] sink = new byte[4096];
            while (s.getInputStream().read(sink) >= 0) {
                // drain answers until the interceptor closes
            }
        } catch (IOException e) {
            // the interceptor may close on a lying length: expected
        }
        return n;
    }

    /** Waits until at most {@code backlog} received UDP queries are unfinished (or two seconds pass). */
    private static void awaitQuiet(DnsInterceptor interceptor, int backlog) throws InterruptedException {
        long until = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < until) {
            DnsInterceptor.Stats s = interceptor.stats();
            if (s.received() - s.shed() - s.completed() <= backlog) {
                return;
            }
            Thread.sleep(1);
        }
    }

    public static void main(String[] args) throws Exception {
        long packets = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        long t0 = System.nanoTime();
        Report r = run(seed, packets);
        System.out.printf("seed=%d packets=%d tcp=%d seconds=%.1f stats=%s uncaught=%d answersAfterwards=%s%n", seed,
                r.packets(), r.tcpPackets(), (System.nanoTime() - t0) / 1e9, r.stats(), r.uncaught().size(),
                r.answersAfterwards());
        r.uncaught().forEach(Throwable::printStackTrace);
        System.exit(r.uncaught().isEmpty() && r.answersAfterwards() ? 0 : 1);
    }
}
