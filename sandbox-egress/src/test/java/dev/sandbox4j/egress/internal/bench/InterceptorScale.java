package dev.sandbox4j.egress.internal.bench;

import dev.sandbox4j.contract.Stats;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.egress.internal.dns.DnsInterceptorConfig;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DNS interceptors alone, without containers: the JVM threads that N interceptors hold, and the answer
 * latency of one interceptor (fresh names: policy, upstream, answer) alone and while 10 others are flooded far
 * over their budgets, each by its own client. Every interceptor runs with its defaults (budget 200/s, burst 400)
 * against a loopback wildcard authority. Not a test: it asserts nothing. Run through
 * {@code ScaleBenchmarks --interceptors [OUTPUT.md]}.
 */
final class InterceptorScale {
    private static final String ZONE = "scale.sandbox4j.example";
    private static final String PREFIX = "sandbox4j-dns";
    /** Datagrams each flooding client sends per millisecond: 2,000 and 10,000 a second, 10 and 50 × its budget. */
    private static final int[] FLOOD_PER_MS = {2, 10};
    private static final int LOOKUPS = 300;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final TestDnsServer authority;
    private final EgressPolicy policy;
    private final List<String> rows = new ArrayList<>();
    private final List<String> floodRows = new ArrayList<>();

    private InterceptorScale(TestDnsServer authority) {
        this.authority = authority;
        this.policy = EgressPolicy.denyAll().allow("*." + ZONE).withUpstream(authority.address());
    }

    static String run() throws Exception {
        try (TestDnsServer authority = TestDnsServer.builder().answerEveryName("192.0.2.1", Duration.ofSeconds(300)).recordQueries(false).start()) {
            InterceptorScale s = new InterceptorScale(authority);
            s.warmUp();
            s.threads(10);
            s.threads(50);
            for (int perMs : FLOOD_PER_MS) {
                s.floodLatency(10, perMs, false);
            }
            s.floodLatency(10, FLOOD_PER_MS[FLOOD_PER_MS.length - 1], true);
            return s.report();
        }
    }

    private DnsInterceptor interceptor() {
        return new DnsInterceptor(DnsInterceptorConfig.builder(policy)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build()).start();
    }

    private void warmUp() throws IOException {
        try (DnsInterceptor i = interceptor(); DatagramSocket client = client()) {
            for (int n = 0; n < 300; n++) { // within the burst of 400
                ask(client, i.address(), "warm-" + n + "." + ZONE);
            }
        }
    }

    /** Threads the JVM holds with {@code n} interceptors started and each one having answered. */
    private void threads(int n) throws IOException {
        int before = THREADS.getThreadCount();
        long ownBefore = threadsNamed();
        List<DnsInterceptor> open = new ArrayList<>();
        try (DatagramSocket client = client()) {
            for (int i = 0; i < n; i++) {
                DnsInterceptor d = interceptor();
                open.add(d);
                ask(client, d.address(), "threads-" + n + "-" + i + "." + ZONE);
            }
            int during = THREADS.getThreadCount();
            long own = threadsNamed();
            open.forEach(DnsInterceptor::close);
            open.clear();
            long after = threadsNamed();
            rows.add(String.format(Locale.ROOT, "| %d | %d | %d | %.2f | %d |", n, during - before, own,
                    (own - ownBefore) / (double) n, after));
        } finally {
            open.forEach(DnsInterceptor::close);
        }
    }

    private static long threadsNamed() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(PREFIX)).count();
    }

    /** One row: the victim's lookups (fresh names, or one cached name) alone, then while others are flooded. */
    private void floodLatency(int flooders, int perMs, boolean cached) throws Exception {
        List<DnsInterceptor> open = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        AtomicBoolean flooding = new AtomicBoolean(true);
        try (DatagramSocket client = client()) {
            DnsInterceptor victim = interceptor();
            open.add(victim);
            Stats quiet = lookups(client, victim, cached ? null : "quiet");
            for (int i = 0; i < flooders; i++) {
                DnsInterceptor f = interceptor();
                open.add(f);
                int id = i;
                Thread t = new Thread(() -> flood(f.address(), id, perMs, flooding), "bench-flood-" + i);
                t.setDaemon(true);
                t.start();
                clients.add(t);
            }
            Thread.sleep(1000);
            Stats flooded = lookups(client, victim, cached ? null : "flooded");
            flooding.set(false);
            for (Thread t : clients) {
                t.join(5000);
            }
            long floodShed = open.stream().skip(1).mapToLong(d -> d.stats().shed() + d.stats().socketDrops()).sum();
            floodRows.add(String.format(Locale.ROOT, "| %d × %d/s%s | %.2f / %.2f ms | %.2f / %.2f ms | %.2f× | %d"
                    + " | %d |", flooders, perMs * 1000, cached ? ", cached name" : "",
                    quiet.median(), quiet.p(0.9), flooded.median(), flooded.p(0.9), flooded.median() / quiet.median(),
                    victim.stats().shed() + victim.stats().socketDrops(), floodShed));
        } finally {
            flooding.set(false);
            open.forEach(DnsInterceptor::close);
        }
    }

    /** Sends fresh names to one interceptor, {@code perMs} each millisecond, never reading an answer. */
    private static void flood(InetSocketAddress target, int id, int perMs, AtomicBoolean flooding) {
        try (DatagramSocket s = new DatagramSocket()) {
            long n = 0;
            long next = System.nanoTime();
            while (flooding.get()) {
                for (int i = 0; i < perMs; i++) {
                    byte[] q = query("flood-" + id + "-" + n++ + "." + ZONE).toWire();
                    s.send(new DatagramPacket(q, q.length, target));
                }
                next += 1_000_000;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("flood client failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@link #LOOKUPS} sequential lookups of fresh names ({@code tag} null: of one cached name), one every 10 ms
     * (half the budget), each timed from send to the checked answer.
     */
    private static Stats lookups(DatagramSocket client, DnsInterceptor d, String tag) throws Exception {
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < LOOKUPS; i++) {
            long t0 = System.nanoTime();
            ask(client, d.address(), (tag == null ? "cached" : tag + "-" + i) + "." + ZONE);
            long took = System.nanoTime() - t0;
            nanos.add(took);
            Thread.sleep(Math.max(0, 10 - took / 1_000_000));
        }
        return Stats.of(nanos);
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(5000);
        return s;
    }

    private static Message query(String name) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
    }

    /** One lookup; fails unless the answer is the authority's address. */
    private static void ask(DatagramSocket client, InetSocketAddress to, String name) throws IOException {
        Message q = query(name);
        byte[] wire = q.toWire();
        client.send(new DatagramPacket(wire, wire.length, to));
        byte[] buf = new byte[1500];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                client.receive(p);
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer for " + name + " from " + to, e);
            }
            Message m = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
            if (m.getHeader().getID() != q.getHeader().getID()) {
                continue; // a late answer to an earlier query
            }
            List<Record> answers = m.getSection(Section.ANSWER);
            if (m.getRcode() != Rcode.NOERROR || answers.size() != 1 || !(answers.get(0) instanceof ARecord a)
                    || !a.getAddress().getHostAddress().equals("192.0.2.1")) {
                throw new IOException("wrong answer for " + name + ": " + m);
            }
            return;
        }
    }

    private String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("DNS interceptors without containers, one JVM, ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append(".\n\n");
        sb.append("| interceptors | JVM threads added | `").append(PREFIX).append("*` threads | per interceptor |"
                + " left after closing all |\n|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        sb.append("\n| answer latency of one interceptor (").append(LOOKUPS).append(" sequential lookups, p50 / p90)"
                + " while others are flooded | alone | flooded | ratio | victim shed | flooders shed |\n"
                + "|---|---|---|---|---|---|\n");
        floodRows.forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }
}
