package dev.sandbox4j.bench;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxRuntime;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.Stats;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a sandbox's start and close spend their time: every process the runtime and the egress provider run is
 * timed through a {@link SandboxRuntime} with a timing {@link CommandRunner}, so each CLI step gets its own row and
 * what remains is the library's own work (the DNS interceptor, the exec session, the self-test's exec). Unpoliced
 * and deny-all sandboxes in the same run, next to the raw CLI's {@code podman run -d} and {@code podman rm}.
 * Usage: {@code StartPhases [IMAGE|-] [OUTPUT.md]}. Not a test: it asserts nothing.
 */
public final class StartPhases {
    private static final Duration T = Duration.ofMinutes(2);
    private static final int RUNS = 8;

    private final String image;
    private final Timing timing = new Timing(CommandRunner.system());
    private final SandboxRuntime runtime = SandboxRuntime.builder().commandRunner(timing).runtime("podman").build();
    private final StringBuilder out = new StringBuilder();

    private StartPhases(String image) {
        this.image = image;
    }

    /**
     * Measures and prints the tables, and writes them to the output file when one is given.
     *
     * @param args the image or {@code -} for the test busybox image, then optionally the output file
     * @throws Exception if a measurement fails
     */
    public static void main(String[] args) throws Exception {
        String image = args.length > 0 && !args[0].equals("-") ? args[0] : TestImages.busybox();
        String report = new StartPhases(image).run();
        System.out.println(report);
        if (args.length > 1) {
            Files.writeString(Path.of(args[1]), report);
        }
    }

    private String run() {
        SandboxSpec open = Sandbox.builder().image(image).label("bench", "true").egress(EgressPolicy.allowAll()).build();
        SandboxSpec policed = open.toBuilder().egress(EgressPolicy.denyAll()
                .withUpstream(new InetSocketAddress("127.0.0.1", 9))).build();
        measure(open, 2);  // warm-up: image checks, first JIT, the reaper's first pass
        measure(policed, 2);
        out.append("### Where a start and a close spend their time, ").append(Benchmarks.mode())
                .append(" Podman (").append(Instant.now()).append(")\n\n");
        out.append("Every process the library ran, timed one by one (p50 over ").append(RUNS)
                .append(" sandboxes, each started, given one exec `true`, and closed); \"in the library\" is the ")
                .append("start or close minus those processes: the DNS interceptor, opening the persistent exec ")
                .append("session (a long-lived `podman exec`, up to its first answer) and the self-test's exec. Reproduce with `java -cp ... dev.sandbox4j.bench.StartPhases`.\n\n");
        List<Long> rawRun = new ArrayList<>();
        List<Long> rawRm = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            String name = "sb4j-bench-phase-" + i;
            rawRun.add(time(() -> raw("podman", "run", "-d", "--pull=never", "--name", name, "--label", "bench=true",
                    image, "sleep", "600")));
            rawRm.add(time(() -> raw("podman", "rm", "--force", "--time", "0", name)));
        }
        section("no egress policy", measure(open, RUNS));
        section("deny-all egress policy", measure(policed, RUNS));
        out.append(String.format(Locale.ROOT, "Raw CLI in the same run: `podman run -d` p50 %.1f ms, "
                + "`podman rm --force --time 0` p50 %.1f ms.%n", Stats.of(rawRun).median(), Stats.of(rawRm).median()));
        return out.toString();
    }

    private record Phases(List<Long> starts, List<Long> closes, Map<String, List<Long>> startSteps,
            Map<String, List<Long>> closeSteps) {
    }

    private Phases measure(SandboxSpec spec, int runs) {
        Phases p = new Phases(new ArrayList<>(), new ArrayList<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        for (int i = 0; i < runs; i++) {
            timing.reset();
            long t0 = System.nanoTime();
            Sandbox s = runtime.start(spec);
            s.exec("true").requireSuccess();
            long t1 = System.nanoTime();
            Map<String, Long> start = timing.reset();
            s.close();
            long t2 = System.nanoTime();
            Map<String, Long> close = timing.reset();
            p.starts.add(t1 - t0);
            p.closes.add(t2 - t1);
            start.forEach((k, v) -> p.startSteps.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            close.forEach((k, v) -> p.closeSteps.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        return p;
    }

    private void section(String what, Phases p) {
        out.append("**").append(what).append("**\n\n| step | p50 ms | p90 ms |\n|---|---|---|\n");
        table("start + first exec", p.starts, p.startSteps);
        table("close", p.closes, p.closeSteps);
        out.append('\n');
    }

    private void table(String total, List<Long> totals, Map<String, List<Long>> steps) {
        Stats all = Stats.of(totals);
        out.append(String.format(Locale.ROOT, "| **%s** | **%.1f** | %.1f |%n", total, all.median(), all.p(0.9)));
        double sum = 0;
        for (Map.Entry<String, List<Long>> e : steps.entrySet()) {
            Stats s = Stats.of(e.getValue());
            sum += s.median();
            out.append(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f |%n", e.getKey(), s.median(), s.p(0.9)));
        }
        out.append(String.format(Locale.ROOT, "| in the library | %.1f | |%n", all.median() - sum));
    }

    private static long time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private static void raw(String... argv) {
        CommandRunner.system().run(Command.of(List.of(argv), T)).requireSuccess();
    }

    /** Times every completed process by its step name; long-lived processes (exec session, updater) are not. */
    private static final class Timing implements CommandRunner {
        private final CommandRunner delegate;
        private Map<String, Long> steps = new LinkedHashMap<>();

        Timing(CommandRunner delegate) {
            this.delegate = delegate;
        }

        synchronized Map<String, Long> reset() {
            Map<String, Long> s = steps;
            steps = new LinkedHashMap<>();
            return s;
        }

        @Override
        public CommandResult run(Command command) {
            long t0 = System.nanoTime();
            try {
                return delegate.run(command);
            } finally {
                long d = System.nanoTime() - t0;
                synchronized (this) {
                    steps.merge(step(command.argv()), d, Long::sum);
                }
            }
        }

        @Override
        public RunningCommand start(Command command) {
            return delegate.start(command);
        }

        /** {@code podman network create}, {@code nft -f -}, {@code podman exec}: the program and its verb. */
        static String step(List<String> argv) {
            int nft = -1;
            for (int i = 0; i < argv.size(); i++) {
                if (Path.of(argv.get(i)).getFileName().toString().equals("nft")) {
                    nft = i;
                }
            }
            if (nft >= 0) {
                return (argv.get(0).endsWith("podman") ? "podman unshare nsenter " : "nsenter ") + "nft "
                        + String.join(" ", argv.subList(nft + 1, argv.size()));
            }
            StringBuilder sb = new StringBuilder(Path.of(argv.get(0)).getFileName().toString());
            int words = 0;
            for (int i = 1; i < argv.size() && words < 2; i++) {
                String a = argv.get(i);
                if (a.startsWith("-")) {
                    break;
                }
                sb.append(' ').append(a);
                words++;
                if (!a.equals("network") && !a.equals("container") && !a.equals("image")) {
                    break;
                }
            }
            return sb.toString();
        }
    }
}
