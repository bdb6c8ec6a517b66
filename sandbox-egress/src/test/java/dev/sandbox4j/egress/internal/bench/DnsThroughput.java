package dev.sandbox4j.egress.internal.bench;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.LearnedAddressSink;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.testing.TestDnsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The cached-names throughput row of {@link EgressBenchmarks} alone, shorter, repeated: the interceptor and dnsmasq
 * alternately under dnsperf. Usage: {@code DnsThroughput [SECONDS [ROUNDS [ours|dnsmasq|both]]]} (defaults 5, 3,
 * both); {@code ours} alone keeps the interceptor under load for profiling.
 */
public final class DnsThroughput {
    private DnsThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String which = args.length > 2 ? args[2] : "both";
        Path dir = Files.createTempDirectory("sandbox4j-dnsthroughput");
        Path cached = dir.resolve("cached.txt");
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            c.append("host").append(i).append('.').append(EgressBenchmarks.ZONE).append(" A\n");
        }
        Files.writeString(cached, c);
        try (TestDnsServer upstream = TestDnsServer.builder().answerEveryName("192.0.2.1", Duration.ofSeconds(300))
                .recordQueries(false).start()) {
            EgressPolicy policy = EgressPolicy.denyAll().allow("**." + EgressBenchmarks.ZONE)
                    .withUpstream(upstream.address());
            int dnsmasqPort = EgressBenchmarks.freePort();
            try (DnsInterceptor ours = EgressBenchmarks.interceptor(policy, LearnedAddressSink.NONE);
                    RunningCommand dnsmasq = EgressBenchmarks.startDnsmasq(dnsmasqPort, upstream.address())) {
                EgressBenchmarks.awaitAnswer(dnsmasqPort, dnsmasq);
                int port = ours.address().getPort();
                EgressBenchmarks.dnsperf(port, cached, false, 2); // warm-up: JIT and cache
                for (int r = 0; r < rounds; r++) {
                    double o = which.equals("dnsmasq") ? 0 : EgressBenchmarks.dnsperf(port, cached, false, seconds);
                    double d = which.equals("ours") ? 0 : EgressBenchmarks.dnsperf(dnsmasqPort, cached, false, seconds);
                    System.out.printf(Locale.ROOT, "round %d: ours %.0f q/s, dnsmasq %.0f q/s, ratio %.2f%n", r + 1,
                            o, d, d == 0 ? 0 : o / d);
                }
            }
        } finally {
            Files.deleteIfExists(cached);
            Files.deleteIfExists(dir);
        }
    }
}
