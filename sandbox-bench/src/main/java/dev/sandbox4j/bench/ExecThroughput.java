package dev.sandbox4j.bench;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.contract.Stats;
import dev.sandbox4j.contract.TestImages;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sequential exec throughput of one sandbox, in well under a minute: for each round, a fresh sandbox runs 100
 * {@code exec true} one after the other, timed as a whole (the first exec opens the exec session, as in
 * {@link Benchmarks}' "100 sequential execs"; the first exec is also timed alone) and then 100 more on the open
 * session, each timed, with the JVM's CPU time. Usage:
 * {@code ExecThroughput [IMAGE|-] [ROUNDS]}; defaults: the offline busybox test image, 5 rounds. Run it once with
 * {@code -Dsandbox4j.processLoop=false} and once without to compare the two ways long-lived processes start. Not a
 * test: it asserts nothing.
 */
public final class ExecThroughput {
    private ExecThroughput() {
    }

    /**
     * Runs the rounds and prints one line per round and a summary.
     *
     * @param args the image or {@code -} for the test busybox image, and the number of rounds
     */
    public static void main(String[] args) {
        String image = args.length > 0 && !args[0].equals("-") ? args[0] : TestImages.busybox();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String mode = "sandbox4j.processLoop=" + System.getProperty("sandbox4j.processLoop", "(default)");
        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Long> each = new ArrayList<>();
        List<Long> first = new ArrayList<>();
        long cpu = 0;
        warmUp(image);
        for (int r = 0; r < rounds; r++) {
            try (Sandbox s = start(image)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    s.exec("true").requireSuccess();
                    if (i == 0) {
                        first.add(System.nanoTime() - t0);
                    }
                }
                cold.add(100 / ((System.nanoTime() - t0) / 1e9));
                long c1 = cpuNanos();
                long t1 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    long t = System.nanoTime();
                    s.exec("true").requireSuccess();
                    each.add(System.nanoTime() - t);
                }
                warm.add(100 / ((System.nanoTime() - t1) / 1e9));
                cpu += cpuNanos() - c1;
            }
            System.out.printf(Locale.ROOT, "%s round %d: 100 execs incl. session open %.0f/s (first exec %.1f ms), "
                    + "on an open session %.0f/s%n", mode, r + 1, cold.get(r), first.get(r) / 1e6, warm.get(r));
        }
        Stats st = Stats.of(each);
        System.out.printf(Locale.ROOT, "%s: incl. open median %.0f execs/s (first exec p50 %.1f ms), open session "
                + "median %.0f execs/s, exec p50 %.3f ms, p99 %.3f ms (n=%d), JVM CPU %.0f µs per exec%n", mode,
                median(cold), Stats.of(first).median(), median(warm), st.median(), st.p(0.99), st.n(),
                cpu / 1e3 / st.n());
    }

    private static Sandbox start(String image) {
        return Sandbox.builder().image(image).runtime("podman").label("bench", "throughput")
                .egress(EgressPolicy.allowAll()).build().start();
    }

    private static void warmUp(String image) {
        try (Sandbox s = start(image)) {
            for (int i = 0; i < 200; i++) {
                s.exec("true").requireSuccess();
            }
        }
    }

    /** CPU time of the whole JVM (every thread, the JIT compilers and GC included). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
