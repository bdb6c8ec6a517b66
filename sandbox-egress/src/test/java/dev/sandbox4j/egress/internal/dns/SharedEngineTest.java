package dev.sandbox4j.egress.internal.dns;

import static dev.sandbox4j.egress.internal.dns.TestZone.name;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Many interceptors in one JVM: the shared threads stay a fixed set, and one sandbox's load spares the others. */
class SharedEngineTest {
    private static final EgressPolicy POLICY = EgressPolicy.denyAll().allow("**.test.sandbox4j.example");
    /** The only names the shared threads may have. */
    private static final Pattern ENGINE_THREAD =
            Pattern.compile("sandbox4j-dns-(loop|loop-2|shed-loop|timer|(quick-)?worker-\\d+|gate-\\d+)");

    private TestDnsServer upstream;
    private final List<DnsInterceptor> open = new ArrayList<>();
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicBoolean flooding = new AtomicBoolean(true);

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = TestZone.start();
    }

    @AfterEach
    void stop() throws Exception {
        flooding.set(false);
        for (Thread t : clients) {
            t.join(10_000);
        }
        for (DnsInterceptor d : open) {
            d.close();
            assertThat(d.uncaughtExceptions()).isZero();
        }
        upstream.close();
    }

    private DnsInterceptor start(String sandbox, UnaryOperator<DnsInterceptorConfig.Builder> tweak) {
        DnsInterceptorConfig.Builder b = DnsInterceptorConfig.builder(POLICY)
                .upstreams(List.of(upstream.address()))
                .recorder(new EgressRecorder(sandbox, 100));
        DnsInterceptor d = new DnsInterceptor(tweak.apply(b).build()).start();
        open.add(d);
        return d;
    }

    private static List<Thread> dnsThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("sandbox4j-dns"))
                .toList();
    }

    private static List<String> addresses(Message m) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            }
        }
        return out;
    }

    private static Message ask(DnsInterceptor d, String relative) throws IOException {
        return new TestClient(d.address()).udp(TestClient.query(name(relative), Type.A));
    }

    @Test
    void fiftyInterceptorsAddNoThreadsBeyondTheSharedSetAndClosingThemLeavesNone() throws IOException {
        // given: the shared threads exist (another interceptor ran first, here or in an earlier test)
        try (DnsInterceptor first = new DnsInterceptor(DnsInterceptorConfig.builder(POLICY)
                .upstreams(List.of(upstream.address())).build()).start()) {
            assertThat(addresses(ask(first, "www"))).containsExactly("192.0.2.10");
        }
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        // when: 50 interceptors start and each answers over UDP and TCP
        for (int i = 0; i < 50; i++) {
            DnsInterceptor d = start("many-" + i, b -> b);
            assertThat(addresses(ask(d, "www"))).containsExactly("192.0.2.10");
            assertThat(addresses(new TestClient(d.address()).tcp(TestClient.query(name("www"), Type.A))))
                    .containsExactly("192.0.2.10");
        }
        List<Thread> running = dnsThreads();
        int threadsRunning = ManagementFactory.getThreadMXBean().getThreadCount();
        List<InetSocketAddress> ports = open.stream().map(DnsInterceptor::address).toList();
        for (DnsInterceptor d : open) {
            d.close();
        }
        List<Thread> afterClose = dnsThreads();

        // then
        assertThat(running).hasSizeLessThanOrEqualTo(DnsEngine.maxThreads())
                .allSatisfy(t -> assertThat(t.getName()).matches(ENGINE_THREAD))
                .allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
        assertThat(threadsRunning - threadsBefore).as("threads added by 50 interceptors")
                .isLessThanOrEqualTo(DnsEngine.maxThreads());
        assertThat(afterClose).hasSizeLessThanOrEqualTo(DnsEngine.maxThreads())
                .allSatisfy(t -> assertThat(t.getName()).matches(ENGINE_THREAD));
        for (InetSocketAddress port : ports) {
            try (DatagramSocket again = new DatagramSocket(port)) {
                assertThat(again.getLocalPort()).as("closed interceptor released its port").isEqualTo(port.getPort());
            }
        }
    }

    @Test
    void aVictimAnswersEveryQueryWhileTenOthersAreFloodedOverTheirBudgets() throws Exception {
        // given: ten interceptors, each flooded by its own client with fresh names (each one a worker's job)
        // at 2,000 queries a second against a budget of 50; the victim asks upstream every time (no cache)
        List<DnsInterceptor> flooded = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            DnsInterceptor f = start("flooded-" + i, b -> b.queriesPerSecond(50).queryBurst(50));
            flooded.add(f);
            flood(f.address(), i);
        }
        DnsInterceptor victim = start("victim", b -> b.cacheEntries(0));
        await(() -> flooded.stream().allMatch(f -> f.stats().shed() > 0));

        // when
        List<Message> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            answers.add(ask(victim, "www"));
        }

        // then
        assertThat(answers).hasSize(100).allSatisfy(m -> {
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(addresses(m)).containsExactly("192.0.2.10");
        });
        assertThat(victim.stats().shed()).as("victim shed").isZero();
        assertThat(victim.stats().socketDrops()).as("victim's datagrams dropped by the kernel").isZero();
        assertThat(victim.stats().upstreamQueries()).as("every answer went upstream").isGreaterThanOrEqualTo(100);
        assertThat(flooded).as("positive control: the flood was over budget")
                .allSatisfy(f -> assertThat(f.stats().shed()).isPositive());
    }

    @Test
    void idleTcpConnectionsToOneInterceptorBlockNeitherItsUdpAnswersNorOtherInterceptors() throws Exception {
        // given: one interceptor holding as many idle TCP connections as it allows
        DnsInterceptor held = start("held", b -> b.maxTcpConnections(16).tcpIdleTimeout(Duration.ofSeconds(30)));
        DnsInterceptor other = start("other", b -> b);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                s.connect(held.address(), 3000);
                idle.add(s);
            }
            // a 17th is over the cap: proves the 16 are held open, not closed or queued
            try (Socket over = new Socket()) {
                over.connect(held.address(), 3000);
                over.setSoTimeout(5000);
                assertThat(over.getInputStream().read()).as("over the cap: closed at once").isEqualTo(-1);
            }

            // when
            Message heldUdp = ask(held, "www");
            Message otherUdp = ask(other, "www");
            Message otherTcp = new TestClient(other.address()).tcp(TestClient.query(name("www"), Type.A));

            // then
            assertThat(addresses(heldUdp)).containsExactly("192.0.2.10");
            assertThat(addresses(otherUdp)).containsExactly("192.0.2.10");
            assertThat(addresses(otherTcp)).containsExactly("192.0.2.10");
            assertThat(held.stats().shed()).as("only the connection over the cap").isEqualTo(1);
            assertThat(idle).allSatisfy(s -> assertThat(s.isClosed()).isFalse());
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void anIdleTcpConnectionIsClosedAfterTheIdleTimeoutWithoutAThreadOfItsOwn() throws Exception {
        // given
        DnsInterceptor d = start("idle", b -> b.tcpIdleTimeout(Duration.ofMillis(300)));
        try (Socket s = new Socket()) {
            s.connect(d.address(), 3000);
            s.setSoTimeout(10_000);

            // when
            int read = readOrTimeout(s.getInputStream());

            // then: closed by the interceptor (end of stream), not by our read timeout
            assertThat(read).isEqualTo(-1);
        }
        assertThat(addresses(ask(d, "www"))).as("positive control").containsExactly("192.0.2.10");
    }

    private static int readOrTimeout(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            return -2;
        }
    }

    /** Sends fresh names to the interceptor, 20 every 10 ms, until the test ends; never reads an answer. */
    private void flood(InetSocketAddress target, int id) {
        Thread t = new Thread(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                long n = 0;
                while (flooding.get()) {
                    for (int i = 0; i < 20; i++) {
                        byte[] q = TestClient.query(name("flood-" + id + "-" + n++), Type.A).toWire();
                        s.send(new DatagramPacket(q, q.length, target));
                    }
                    Thread.sleep(10);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-flood-" + id);
        t.setDaemon(true);
        t.start();
        clients.add(t);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
