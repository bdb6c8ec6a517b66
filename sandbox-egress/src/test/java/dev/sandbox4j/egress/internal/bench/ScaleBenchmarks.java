package dev.sandbox4j.egress.internal.bench;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.Stats;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost curve of many policed sandboxes in one JVM: for N sandboxes started concurrently from 4 threads, the
 * start throughput and latencies, the first exec, what the JVM and the host hold per sandbox, the close
 * throughput; and the DNS answer latency of one sandbox while 10 others flood their interceptors. Every sandbox
 * is policed (deny-all but one wildcard zone, answered by a loopback authority with a TEST-NET address), and
 * every sandbox answers an exec and a DNS lookup before it counts as started. Not a test: it asserts nothing.
 * Usage: {@code ScaleBenchmarks [OUTPUT.md] [N,N,...]} (default 1,10,50,100); {@code ScaleBenchmarks --interceptors
 * [OUTPUT.md]} measures the DNS interceptors alone, without containers ({@link InterceptorScale}).
 */
public final class ScaleBenchmarks {
    private static final String ZONE = "scale.sandbox4j.example";
    private static final int START_THREADS = 4;
    private static final Pattern MEM_AVAILABLE = Pattern.compile("MemAvailable:\\s+(\\d+) kB");

    private final String image;
    private final TestDnsServer authority;
    private final List<String> rows = new ArrayList<>();
    private final String mode;
    private String firstLookup = "";

    private ScaleBenchmarks(String image, TestDnsServer authority) {
        this.image = image;
        this.authority = authority;
        this.mode = mode();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--interceptors")) {
            String report = InterceptorScale.run();
            System.out.println(report);
            if (args.length > 1) {
                Files.writeString(Path.of(args[1]), report);
            }
            return;
        }
        int[] counts = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 10, 50, 100};
        try (TestDnsServer authority = TestDnsServer.builder().answerEveryName("192.0.2.1", Duration.ofSeconds(300)).recordQueries(false).start()) {
            ScaleBenchmarks b = new ScaleBenchmarks(TestImages.busybox(), authority);
            String report = b.run(counts);
            System.out.println(report);
            if (args.length > 0 && !args[0].equals("-")) {
                Files.writeString(Path.of(args[0]), report);
            }
        }
    }

    private SandboxSpec spec(String tag) {
        return Sandbox.builder().image(image).runtime("podman").label("bench", "scale").label("tag", tag)
                .egress(EgressPolicy.denyAll().allow("*." + ZONE).withUpstream(authority.address())).build();
    }

    private String run(int[] counts) throws Exception {
        try (Sandbox warm = spec("warm").start()) {
            warm.exec("true").requireSuccess();
        }
        for (int n : counts) {
            curvePoint(n);
        }
        floodLatency(10);
        return report(counts);
    }

    private void curvePoint(int n) throws Exception {
        System.gc();
        int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
        long heap0 = usedHeap();
        long fds0 = openFds();
        long mem0 = memAvailableKb();
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        List<Long> firstExecs = Collections.synchronizedList(new ArrayList<>());
        List<Sandbox> open = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(START_THREADS);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                futures.add(pool.submit(() -> {
                    long s0 = System.nanoTime();
                    Sandbox s = spec("n" + n).start();
                    open.add(s);
                    long s1 = System.nanoTime();
                    ExecResult r = s.exec("nslookup", "host-" + id + "." + ZONE);
                    long s2 = System.nanoTime();
                    if (r.exitCode() != 0 || !r.stdout().contains("192.0.2.1")) {
                        throw new IllegalStateException("sandbox " + s.id() + " did not resolve: " + r);
                    }
                    starts.add(s1 - s0);
                    firstExecs.add(s2 - s1);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            long heap = usedHeap();
            long fds = openFds();
            long mem = memAvailableKb();
            long c0 = System.nanoTime();
            List<Future<?>> closes = new ArrayList<>();
            for (Sandbox s : List.copyOf(open)) {
                closes.add(pool.submit(s::close));
            }
            for (Future<?> f : closes) {
                f.get();
            }
            open.clear();
            double closeSeconds = (System.nanoTime() - c0) / 1e9;
            Stats start = Stats.of(starts);
            Stats exec = Stats.of(firstExecs);
            rows.add(String.format(Locale.ROOT,
                    "| %d | %.1f/s | %.0f / %.0f ms | %.0f / %.0f ms | %+d (%.2f/sandbox) | %.2f MiB | %.1f | %.1f MiB | %.1f/s |",
                    n, n / startSeconds, start.median(), start.p(0.9), exec.median(), exec.p(0.9), threads - threads0,
                    (threads - threads0) / (double) n, (heap - heap0) / (double) n / (1 << 20),
                    (fds - fds0) / (double) n, (mem0 - mem) / (double) n / 1024, n / closeSeconds));
        } finally {
            for (Sandbox s : List.copyOf(open)) {
                s.close();
            }
            pool.shutdown();
        }
    }

    /**
     * DNS lookup latency of one sandbox, alone, then while
     * {@code flooders} other sandboxes each run lookups in a tight loop.
     */
    private void floodLatency(int flooders) throws Exception {
        List<Sandbox> open = new ArrayList<>();
        try {
            Sandbox victim = spec("victim").start();
            open.add(victim);
            victim.exec("nslookup", "cached." + ZONE).requireSuccess();
            Stats cached = cachedLookups(victim);
            Stats quiet = lookups(victim, "quiet");
            firstLookup = String.format(Locale.ROOT, "| first lookup of an allowed name inside a policed sandbox (fresh "
                    + "names: upstream + set update) vs a cached name, per lookup | p50 %.1f ms (p90 %.1f) | cached: p50 "
                    + "%.1f ms (p90 %.1f) | added p50 %.1f ms |", quiet.median(), quiet.p(0.9), cached.median(),
                    cached.p(0.9), quiet.median() - cached.median());
            for (int i = 0; i < flooders; i++) {
                Sandbox f = spec("flood").start();
                open.add(f);
                f.exec("sh", "-c", "(i=0; while :; do i=$((i+1)); nslookup flood-$i." + ZONE
                        + " >/dev/null 2>&1; done) >/dev/null 2>&1 &").requireSuccess();
            }
            Thread.sleep(2000);
            Stats flooded = lookups(victim, "flooded");
            rows.add("");
            rows.add("| DNS lookup latency in one sandbox (fresh names, per lookup) | alone | while " + flooders
                    + " other sandboxes flood | ratio |");
            rows.add("|---|---|---|---|");
            rows.add(String.format(Locale.ROOT, "| p50 / p90 | %.0f / %.0f ms | %.0f / %.0f ms | %.2f× |",
                    quiet.median(), quiet.p(0.9), flooded.median(), flooded.p(0.9), flooded.median() / quiet.median()));
        } finally {
            open.forEach(Sandbox::close);
        }
    }

    /**
     * Lookup latency in one sandbox: 20 batches of 10 fresh names, each batch one exec timed from the host and
     * divided by 10 (busybox has no sub-millisecond clock inside). Includes busybox nslookup's process start, the
     * same in both columns.
     */
    private static Stats lookups(Sandbox s, String tag) {
        List<Long> nanos = new ArrayList<>();
        for (int batch = 0; batch < 20; batch++) {
            String script = "for i in 0 1 2 3 4 5 6 7 8 9; do nslookup " + tag + "-" + batch + "-$i." + ZONE
                    + " >/dev/null 2>&1 || exit 1; done";
            long t0 = System.nanoTime();
            s.exec("sh", "-c", script).requireSuccess();
            nanos.add((System.nanoTime() - t0) / 10);
        }
        return Stats.of(nanos);
    }

    /** The same batches as {@link #lookups}, of one name the interceptor has cached: no upstream, no set update. */
    private static Stats cachedLookups(Sandbox s) {
        List<Long> nanos = new ArrayList<>();
        for (int batch = 0; batch < 20; batch++) {
            String script = "for i in 0 1 2 3 4 5 6 7 8 9; do nslookup cached." + ZONE
                    + " >/dev/null 2>&1 || exit 1; done";
            long t0 = System.nanoTime();
            s.exec("sh", "-c", script).requireSuccess();
            nanos.add((System.nanoTime() - t0) / 10);
        }
        return Stats.of(nanos);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long memAvailableKb() throws IOException {
        Matcher m = MEM_AVAILABLE.matcher(Files.readString(Path.of("/proc/meminfo")));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String mode() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            Matcher m = Pattern.compile("Uid:\\s+\\d+\\s+(\\d+)").matcher(status);
            return m.find() && !m.group(1).equals("0") ? "rootless" : "rootful";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private String report(int[] counts) {
        HostEnvironment host = HostEnvironment.current();
        String podman = CommandRunner.system().run(Command.of(List.of("podman", "--version"), Duration.ofSeconds(30)))
                .stdout().strip();
        StringBuilder sb = new StringBuilder();
        sb.append("### Many policed sandboxes, ").append(mode).append(" Podman (").append(Instant.now()).append(")\n\n");
        sb.append("Machine: ").append(host).append("; ").append(podman).append("; Java ")
                .append(System.getProperty("java.version")).append(".\n");
        sb.append("N sandboxes started concurrently from ").append(START_THREADS)
                .append(" threads, each policed (deny-all but one zone), each answering a DNS lookup through an exec; "
                        + "then all closed concurrently. Start latency is `start()`; first exec is that lookup. "
                        + "Per-sandbox figures are the growth while all N are open, divided by N; host memory is the "
                        + "fall of MemAvailable (containers, conmon, networks, the JVM's share).\n\n");
        sb.append("| N | start throughput | start p50 / p90 | first exec p50 / p90 | JVM threads | heap / sandbox "
                + "| fds / sandbox | host memory / sandbox | close throughput |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        sb.append("\n| measure | Sandbox4j | baseline | added |\n|---|---|---|---|\n").append(firstLookup).append('\n');
        return sb.toString();
    }
}
