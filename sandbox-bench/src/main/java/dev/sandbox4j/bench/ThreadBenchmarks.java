package dev.sandbox4j.bench;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.contract.Stats;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * JVM threads per open sandbox and the exec round trip, the two figures that decide how many sandboxes one JVM
 * holds. Usage: {@code ThreadBenchmarks [IMAGE|-] [N,N,...] [unpoliced|policed] [ITERATIONS]}; defaults: the
 * offline busybox test image, 10,50, unpoliced, 2000. For each N it opens N sandboxes one after the other, runs
 * one {@code exec true} in each (which opens its exec session), and counts the JVM's threads against the count
 * before; then it times {@code exec true} in one sandbox. Not a test: it asserts nothing.
 */
public final class ThreadBenchmarks {
    /** Policed sandboxes here look nothing up; their upstream is a closed loopback port. */
    private static final InetSocketAddress NO_UPSTREAM = new InetSocketAddress("127.0.0.1", 9);

    private ThreadBenchmarks() {
    }

    /**
     * Runs the measurement and prints its table.
     *
     * @param args the image or {@code -} for the test busybox image, the counts (e.g. {@code 10,50}), {@code policed}
     *             or {@code unpoliced}, and the number of exec round trips
     */
    public static void main(String[] args) {
        String image = args.length > 0 && !args[0].equals("-") ? args[0] : TestImages.busybox();
        int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "10,50").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        boolean policed = args.length > 2 && args[2].equals("policed");
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        StringBuilder report = new StringBuilder();
        report.append("| sandboxes (").append(policed ? "policed" : "unpoliced")
                .append(") | JVM threads added | per sandbox | threads by name |\n|---|---|---|---|\n");
        warmUp(image, policed);
        for (int n : sizes) {
            report.append(threads(image, policed, n)).append('\n');
        }
        report.append('\n').append(latency(image, policed, iterations)).append('\n');
        System.out.println(report);
    }

    private static Sandbox start(String image, boolean policed, int i) {
        return Sandbox.builder().image(image).runtime("podman").label("bench", "threads")
                .egress(policed ? EgressPolicy.denyAll().allow("*.example.test").withUpstream(NO_UPSTREAM)
                        : EgressPolicy.allowAll())
                .build().start();
    }

    private static void warmUp(String image, boolean policed) {
        try (Sandbox s = start(image, policed, 0)) {
            for (int i = 0; i < 50; i++) {
                s.exec("true").requireSuccess();
            }
        }
    }

    private static int threadCount() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static String threads(String image, boolean policed, int n) {
        settle();
        int before = threadCount();
        Map<String, Integer> namesBefore = names();
        List<Sandbox> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Sandbox s = start(image, policed, i);
                open.add(s);
                s.exec("true").requireSuccess();
            }
            settle();
            int after = threadCount();
            Map<String, Integer> added = names();
            namesBefore.forEach((k, v) -> added.merge(k, -v, Integer::sum));
            added.values().removeIf(v -> v == 0);
            return String.format(Locale.ROOT, "| %d | %d | %.2f | %s |", n, after - before,
                    (after - before) / (double) n, added);
        } finally {
            open.parallelStream().forEach(Sandbox::close);
        }
    }

    /** Lets transient threads (start-up helpers, closers) end before counting. */
    private static void settle() {
        try {
            Thread.sleep(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Live threads by name, digits folded into '#', so per-sandbox threads show as one growing entry. */
    private static Map<String, Integer> names() {
        Map<String, Integer> m = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            m.merge(t.getName().replaceAll("[0-9a-f]{12}", "ID").replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        return m;
    }

    private static String latency(String image, boolean policed, int iterations) {
        try (Sandbox s = start(image, policed, 0)) {
            for (int i = 0; i < 200; i++) {
                s.exec("true").requireSuccess();
            }
            List<Long> nanos = new ArrayList<>(iterations);
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                s.exec("true").requireSuccess();
                nanos.add(System.nanoTime() - t0);
            }
            Stats st = Stats.of(nanos);
            return String.format(Locale.ROOT, "exec `true` round trip: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (n=%d)",
                    st.median(), st.p(0.9), st.p(0.99), st.n());
        }
    }
}
