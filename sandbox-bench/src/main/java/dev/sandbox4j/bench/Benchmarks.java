package dev.sandbox4j.bench;

import dev.sandbox4j.Exec;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxPool;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.Stats;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runtime benchmarks: each figure is measured for Sandbox4j and for the raw podman CLI in the same run, and
 * reported as medians and a ratio. Usage: {@code Benchmarks [IMAGE|-] [OUTPUT.md]}; without an image the offline busybox test image is built and used. Not a test: it asserts nothing;
 * the goals are printed next to the figures.
 */
public final class Benchmarks {
    private static final CommandRunner RUNNER = CommandRunner.system();
    private static final Duration T = Duration.ofMinutes(2);

    private final String image;
    private final List<String> rows = new ArrayList<>();

    private Benchmarks(String image) {
        this.image = image;
    }

    /**
     * Runs the benchmarks and prints the report to standard output.
     *
     * @param args optionally the image to measure with; none or {@code -} for the test busybox image
     * @throws Exception if a measurement fails
     */
    public static void main(String[] args) throws Exception {
        String image = args.length > 0 && !args[0].equals("-") ? args[0] : TestImages.busybox();
        Benchmarks b = new Benchmarks(image);
        String report = b.run();
        System.out.println(report);
        if (args.length > 1) {
            Files.writeString(Path.of(args[1]), report);
        }
    }

    private SandboxSpec spec() {
        return Sandbox.builder().image(image).runtime("podman").label("bench", "true")
                .egress(EgressPolicy.allowAll()).build();
    }

    private String run() throws Exception {
        warmUp();
        execTrue();
        execMegabyte();
        filesMegabyte();
        coldStart();
        poolAcquire();
        throughput();
        heapPerSandbox();
        return report();
    }

    private void warmUp() {
        try (Sandbox s = spec().start()) {
            for (int i = 0; i < 20; i++) {
                s.exec("true");
            }
        }
    }

    private static long time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private static void raw(String... argv) {
        RUNNER.run(Command.of(List.of(argv), T)).requireSuccess();
    }

    private void execTrue() {
        try (Sandbox s = spec().start()) {
            List<Long> ours = new ArrayList<>();
            List<Long> cli = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ours.add(time(() -> s.exec("true").requireSuccess()));
            }
            for (int i = 0; i < 50; i++) {
                cli.add(time(() -> raw("podman", "exec", s.id(), "true")));
            }
            row("exec `true` round trip", Stats.of(ours), Stats.of(cli), "p50 ≤ 2 ms, ≥ 50× faster");
        }
    }

    private void execMegabyte() {
        try (Sandbox s = spec().start()) {
            String script = "head -c 1048576 /dev/zero | tr '\\000' 'x'";
            List<Long> ours = new ArrayList<>();
            List<Long> cli = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ours.add(time(() -> s.exec("sh", "-c", script).requireSuccess()));
                cli.add(time(() -> raw("podman", "exec", s.id(), "sh", "-c", script)));
            }
            row("exec with 1 MB stdout", Stats.of(ours), Stats.of(cli), "");
        }
    }

    /** {@code files().write} then {@code files().read} of 1 MiB, against {@code podman cp} in and out. */
    private void filesMegabyte() throws IOException {
        byte[] data = new byte[1 << 20];
        new java.util.Random(1).nextBytes(data);
        Path dir = Files.createTempDirectory("sb4j-bench-files");
        Path in = Files.write(dir.resolve("in.bin"), data);
        Path out = dir.resolve("out.bin");
        try (Sandbox s = spec().start()) {
            List<Long> ours = new ArrayList<>();
            List<Long> cli = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ours.add(time(() -> {
                    s.files().write("/tmp/bench.bin", data);
                    if (s.files().read("/tmp/bench.bin").length != data.length) {
                        throw new IllegalStateException("files round trip lost bytes");
                    }
                }));
                cli.add(time(() -> {
                    raw("podman", "cp", in.toString(), s.id() + ":/tmp/raw.bin");
                    raw("podman", "cp", s.id() + ":/tmp/raw.bin", out.toString());
                }));
            }
            row("1 MiB file written and read back (files() vs `podman cp` in and out)", Stats.of(ours),
                    Stats.of(cli), "");
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
    }

    private void coldStart() {
        List<Long> ours = new ArrayList<>();
        List<Long> cli = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ours.add(time(() -> {
                try (Sandbox s = spec().start()) {
                    s.exec("true").requireSuccess();
                }
            }));
            String name = "sb4j-bench-raw-" + i;
            cli.add(time(() -> {
                raw("podman", "run", "-d", "--pull=never", "--name", name, "--label", "bench=true", image,
                        "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 86400 & wait $!; done");
                raw("podman", "exec", name, "true");
                raw("podman", "rm", "--force", "--time", "0", name);
            }));
        }
        row("cold start → first exec → close", Stats.of(ours), Stats.of(cli), "≤ 1.10× the raw CLI");
        List<Long> policed = new ArrayList<>();
        SandboxSpec denyAll = spec().toBuilder().egress(EgressPolicy.denyAll()
                .withUpstream(new java.net.InetSocketAddress("127.0.0.1", 9))).build();
        for (int i = 0; i < 5; i++) {
            policed.add(time(() -> {
                try (Sandbox s = denyAll.start()) {
                    s.exec("true").requireSuccess();
                }
            }));
        }
        row("the same under a deny-all egress policy (network, interceptor, nft, self-test)", Stats.of(policed),
                Stats.of(cli), "");
    }

    private void poolAcquire() throws InterruptedException {
        List<Long> acquire = new ArrayList<>();
        try (SandboxPool pool = SandboxPool.builder(spec()).size(2).build()) {
            for (int i = 0; i < 10; i++) {
                while (pool.available() < 2) {
                    Thread.sleep(20);
                }
                long t0 = System.nanoTime();
                Sandbox s = pool.acquire();
                acquire.add(System.nanoTime() - t0);
                s.close();
            }
        }
        List<Long> cli = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "sb4j-bench-pool-" + i;
            cli.add(time(() -> raw("podman", "run", "-d", "--pull=never", "--name", name, "--label", "bench=true",
                    image, "sleep", "600")));
            raw("podman", "rm", "--force", "--time", "0", name);
        }
        row("SandboxPool.acquire() (vs `podman run -d`)", Stats.of(acquire), Stats.of(cli), "p50 ≤ 5 ms");
    }

    private void throughput() throws Exception {
        try (Sandbox s = spec().start()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                s.exec("true").requireSuccess();
            }
            double seq = 100 / ((System.nanoTime() - t0) / 1e9);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            long t1 = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        s.exec(Exec.of("true")).requireSuccess();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            double par = 800 / ((System.nanoTime() - t1) / 1e9);
            pool.shutdown();
            long t2 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                raw("podman", "exec", s.id(), "true");
            }
            double cli = 20 / ((System.nanoTime() - t2) / 1e9);
            rows.add(String.format(Locale.ROOT, "| 100 sequential execs | %.0f execs/s | %.1f execs/s | %.0f× | |",
                    seq, cli, seq / cli));
            rows.add(String.format(Locale.ROOT, "| 8 threads × 100 execs | %.0f execs/s | %.1f execs/s (sequential) | %.0f× | |",
                    par, cli, par / cli));
        }
    }

    private void heapPerSandbox() {
        int n = 10;
        long before = usedHeap();
        List<Sandbox> sandboxes = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Sandbox s = spec().start();
                s.exec("true");
                sandboxes.add(s);
            }
            long after = usedHeap();
            double perSandbox = (after - before) / (double) n / (1024 * 1024);
            rows.add(String.format(Locale.ROOT, "| library heap per idle sandbox (%d open) | %.2f MiB | – | – | ≤ 2 MiB |",
                    n, perSandbox));
        } finally {
            sandboxes.forEach(Sandbox::close);
        }
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Rootless when this JVM's effective user is not root (Podman then runs rootless). */
    static String mode() {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Uid:\\s+\\d+\\s+(\\d+)")
                    .matcher(Files.readString(Path.of("/proc/self/status")));
            return m.find() && !m.group(1).equals("0") ? "rootless" : "rootful";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void row(String what, Stats ours, Stats cli, String goal) {
        rows.add(String.format(Locale.ROOT, "| %s | p50 %.2f ms (p90 %.2f, n=%d) | p50 %.2f ms (p90 %.2f, n=%d) | %.2f× | %s |",
                what, ours.median(), ours.p(0.9), ours.n(), cli.median(), cli.p(0.9), cli.n(),
                cli.median() / ours.median(), goal));
    }

    private String report() throws IOException {
        HostEnvironment host = HostEnvironment.current();
        String podman = RUNNER.run(Command.of(List.of("podman", "--version"), T)).stdout().strip();
        StringBuilder sb = new StringBuilder();
        sb.append("### Runtime, ").append(mode()).append(" Podman (").append(Instant.now()).append(")\n\n");
        sb.append("Machine: ").append(host).append("; ").append(podman).append("; Java ")
                .append(System.getProperty("java.version")).append(".\n\n");
        sb.append("| measure | Sandbox4j | raw podman CLI | speed-up (CLI ÷ ours) | goal |\n");
        sb.append("|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }
}
