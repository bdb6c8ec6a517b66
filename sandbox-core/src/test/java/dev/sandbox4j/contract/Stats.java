package dev.sandbox4j.contract;

import java.util.Arrays;
import java.util.List;

/**
 * Order statistics of a sample of durations in nanoseconds, reported in milliseconds. Shared by the runtime
 * benchmarks of {@code sandbox-bench} and the egress component benchmarks in {@code sandbox-egress}'s tests.
 *
 * @param sortedNanos the sample, sorted ascending
 */
public record Stats(long[] sortedNanos) {
    /**
     * The statistics of a sample in any order.
     *
     * @param nanos durations in nanoseconds
     * @return the statistics
     */
    public static Stats of(List<Long> nanos) {
        long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return new Stats(a);
    }

    /**
     * The {@code q} quantile (nearest rank), in milliseconds; NaN for an empty sample.
     *
     * @param q the quantile, from 0 to 1
     * @return the duration at that quantile, in milliseconds
     */
    public double p(double q) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.max(0, Math.ceil(q * sortedNanos.length) - 1));
        return sortedNanos[i] / 1e6;
    }

    /**
     * The median, in milliseconds.
     *
     * @return {@code p(0.5)}
     */
    public double median() {
        return p(0.5);
    }

    /**
     * The sample size.
     *
     * @return how many durations there are
     */
    public int n() {
        return sortedNanos.length;
    }
}
