package dev.sandbox4j.egress.internal.bench;

import dev.sandbox4j.contract.Stats;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.LearnedAddressSink;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.egress.internal.dns.DnsInterceptorConfig;
import dev.sandbox4j.egress.internal.nft.NftAddressSink;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import dev.sandbox4j.egress.internal.nft.NftShell;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * DNS interceptor benchmarks, everything on loopback: throughput of our interceptor and of dnsmasq measured with
 * dnsperf in the same run, same upstream, same query files; and the latency the interceptor adds to the first
 * lookup of an allowed name, including the nftables set update. Usage: {@code EgressBenchmarks [OUTPUT.md]}.
 */
public final class EgressBenchmarks {
    private static final CommandRunner RUNNER = CommandRunner.system();
    static final String ZONE = "bench.sandbox4j.example";
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");
    private static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
    private static final int SECONDS = 10;
    /** Unmeasured load on each server before its cached row: fills its cache, and lets the JIT compile ours. */
    private static final int WARM_UP_SECONDS = 2;

    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        EgressBenchmarks b = new EgressBenchmarks();
        String report = b.run();
        System.out.println(report);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), report);
        }
    }

    private String run() throws Exception {
        Path dir = Files.createTempDirectory("sandbox4j-dnsbench");
        try (TestDnsServer upstream = TestDnsServer.builder().answerEveryName("192.0.2.1", Duration.ofSeconds(300)).recordQueries(false).start()) {
            Path cached = dir.resolve("cached.txt");
            Path unique = dir.resolve("unique.txt");
            StringBuilder c = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                c.append("host").append(i).append('.').append(ZONE).append(" A\n");
            }
            Files.writeString(cached, c);
            StringBuilder u = new StringBuilder();
            for (int i = 0; i < 300_000; i++) {
                u.append('n').append(i).append('.').append(ZONE).append(" A\n");
            }
            Files.writeString(unique, u);

            EgressPolicy policy = EgressPolicy.denyAll().allow("**." + ZONE).withUpstream(upstream.address());
            try (DnsInterceptor ours = interceptor(policy, LearnedAddressSink.NONE)) {
                int port = ours.address().getPort();
                dnsperf(port, cached, false, WARM_UP_SECONDS);
                double oursCached = dnsperf(port, cached, false);
                double oursForwarded = dnsperf(port, unique, true);
                int dnsmasqPort = freePort();
                try (RunningCommand dnsmasq = startDnsmasq(dnsmasqPort, upstream.address())) {
                    awaitAnswer(dnsmasqPort, dnsmasq);
                    dnsperf(dnsmasqPort, cached, false, WARM_UP_SECONDS);
                    double theirsCached = dnsperf(dnsmasqPort, cached, false);
                    double theirsForwarded = dnsperf(dnsmasqPort, unique, true);
                    rows.add(row("allowed, cached names (50 names, " + SECONDS + " s)", oursCached, theirsCached));
                    rows.add(row("allowed, forwarded names (unique, 300k)", oursForwarded, theirsForwarded));
                }
            }
            firstLookupLatency(policy, upstream);
        } finally {
            Files.deleteIfExists(dir.resolve("cached.txt"));
            Files.deleteIfExists(dir.resolve("unique.txt"));
            Files.deleteIfExists(dir);
        }
        return report();
    }

    static DnsInterceptor interceptor(EgressPolicy policy, LearnedAddressSink sink) throws IOException {
        return new DnsInterceptor(DnsInterceptorConfig.builder(policy)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstreams(policy.upstreams())
                .sink(sink)
                .queriesPerSecond(1_000_000)
                .queryBurst(1_000_000)
                .maxAddressesTotal(1_000_000)
                .cacheEntries(500_000)
                .build()).start();
    }

    static RunningCommand startDnsmasq(int port, InetSocketAddress upstream) {
        return RUNNER.start(Command.builder(List.of("dnsmasq", "--keep-in-foreground", "--no-daemon",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--server=127.0.0.1#" + upstream.getPort(), "--cache-size=10000", "--dns-forward-max=1000",
                "--user=root", "--pid-file=")).build());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void awaitAnswer(int port, RunningCommand server) throws Exception {
        for (int i = 0; i < 100 && server.isAlive(); i++) {
            try {
                query(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "ready." + ZONE, 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("dnsmasq did not answer on port " + port
                + (server.isAlive() ? "" : " (it exited: " + new String(server.stderr().readAllBytes()) + ")"));
    }

    /** dnsperf against 127.0.0.1:port; returns queries per second. */
    private static double dnsperf(int port, Path queries, boolean once) {
        return dnsperf(port, queries, once, SECONDS);
    }

    /** dnsperf against 127.0.0.1:port for about {@code seconds}; returns queries per second. */
    static double dnsperf(int port, Path queries, boolean once, int seconds) {
        List<String> argv = new ArrayList<>(List.of("dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port),
                "-d", queries.toString(), "-c", "4", "-q", "200", "-t", "2"));
        if (once) {
            argv.addAll(List.of("-n", "1", "-l", Integer.toString(seconds * 3)));
        } else {
            argv.addAll(List.of("-l", Integer.toString(seconds)));
        }
        CommandResult r = RUNNER.run(Command.of(argv, Duration.ofSeconds(seconds * 4L))).requireSuccess();
        Matcher m = QPS.matcher(r.stdout());
        if (!m.find()) {
            throw new IllegalStateException("dnsperf printed no rate: " + r.stdout());
        }
        Matcher lost = LOST.matcher(r.stdout());
        if (lost.find() && Long.parseLong(lost.group(1)) > 0) {
            System.err.println("dnsperf lost " + lost.group(1) + " queries against port " + port);
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * Median time of a first lookup through the interceptor (with real nftables updates, in a network namespace
     * of the benchmark's own, as a sandbox's are) vs the upstream alone.
     */
    private void firstLookupLatency(EgressPolicy policy, TestDnsServer upstream) throws Exception {
        String nft = HostEnvironment.current().findExecutable("nft").map(Object::toString)
                .or(() -> HostEnvironment.current().findExecutable("/usr/sbin/nft").map(Object::toString))
                .orElse("nft");
        try (RunningCommand holder = RUNNER.start(Command.builder(
                List.of("unshare", "--user", "--map-root-user", "--net", "sleep", "3600")).build())) {
            awaitOwnNamespace(holder.pid());
            firstLookupLatency(policy, upstream, List.of("nsenter", "-t", Long.toString(holder.pid()), "-U", "-n",
                    "--preserve-credentials", nft));
        }
    }

    /** Until unshare has made its namespace, entering it would enter ours. */
    private static void awaitOwnNamespace(long pid) throws Exception {
        java.nio.file.Path ours = java.nio.file.Path.of("/proc/self/ns/net");
        java.nio.file.Path theirs = java.nio.file.Path.of("/proc", Long.toString(pid), "ns", "net");
        for (int i = 0; i < 1000; i++) {
            if (!java.nio.file.Files.readSymbolicLink(theirs).equals(java.nio.file.Files.readSymbolicLink(ours))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("unshare made no network namespace");
    }

    private void firstLookupLatency(EgressPolicy policy, TestDnsServer upstream, List<String> nft)
            throws Exception {
        try (NftShell shell = new NftShell(RUNNER, nft)) {
            NftRuleset ruleset = new NftRuleset("sandbox4j_bench", InetAddress.getByName("10.255.254.1"), 5353,
                    List.of(), List.of(), false, List.of());
            shell.applyScript(ruleset.create(), Duration.ofSeconds(10));
            try (DnsInterceptor ours = interceptor(policy,
                    new NftAddressSink(ruleset, shell, Duration.ofSeconds(120), Duration.ofSeconds(2)))) {
                List<Long> direct = new ArrayList<>();
                List<Long> through = new ArrayList<>();
                for (int i = 0; i < 600; i++) {
                    long t0 = System.nanoTime();
                    query(upstream.address(), "d" + i + ".first." + ZONE, 2000);
                    long t1 = System.nanoTime();
                    query(ours.address(), "o" + i + ".first." + ZONE, 2000);
                    long t2 = System.nanoTime();
                    if (i >= 100) {
                        direct.add(t1 - t0);
                        through.add(t2 - t1);
                    }
                }
                Stats d = Stats.of(direct);
                Stats o = Stats.of(through);
                rows.add(String.format(Locale.ROOT, "| first lookup of an allowed name, incl. nft set update "
                                + "(n=%d) | p50 %.3f ms (p90 %.3f) | upstream alone: p50 %.3f ms | added p50 %.3f ms "
                                + "| ≤ 2 ms added |", o.n(), o.median(), o.p(0.9), d.median(), o.median() - d.median()));
            }
        }
    }

    private static void query(InetSocketAddress server, String name, int timeoutMillis) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
        q.getHeader().setFlag(Flags.RD);
        byte[] wire = q.toWire();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(timeoutMillis);
            s.send(new DatagramPacket(wire, wire.length, server));
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            Message r = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            if (r.getHeader().getID() != q.getHeader().getID() || r.getSection(1).isEmpty()) {
                throw new IOException("bad answer for " + name + ": rcode " + r.getRcode());
            }
        }
    }

    private static String row(String what, double ours, double dnsmasq) {
        return String.format(Locale.ROOT, "| %s | %.0f q/s | dnsmasq: %.0f q/s | %.2f× | ours ≥ dnsmasq |",
                what, ours, dnsmasq, ours / dnsmasq);
    }

    private String report() {
        HostEnvironment host = HostEnvironment.current();
        String dnsperfVersion = RUNNER.run(Command.of(List.of("dnsperf", "-h"), Duration.ofSeconds(10))).stderr()
                .lines().filter(l -> l.contains("DNS Performance")).findFirst().orElse("dnsperf").strip();
        String dnsmasqVersion = RUNNER.run(Command.of(List.of("dnsmasq", "--version"), Duration.ofSeconds(10)))
                .stdout().lines().findFirst().orElse("dnsmasq").strip();
        StringBuilder sb = new StringBuilder();
        sb.append("### DNS interceptor (").append(Instant.now()).append(")\n\n");
        sb.append("Machine: ").append(host).append("; Java ").append(System.getProperty("java.version"))
                .append("; ").append(dnsmasqVersion).append("; ").append(dnsperfVersion).append(".\n");
        sb.append("Everything on 127.0.0.1; dnsperf with 4 clients, 200 outstanding queries, 2 threads; each "
                + "server gets " + WARM_UP_SECONDS + " s of the cached names, unmeasured, before its cached row. The "
                + "interceptor's per-sandbox query budget is raised for the throughput rows (its default of 200 q/s "
                + "would shed the load by design); its sink is a no-op there, and real nftables in the latency row.\n\n");
        sb.append("| measure | Sandbox4j interceptor | baseline | ratio | goal |\n");
        sb.append("|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }
}
