package dev.sandbox4j.egress.internal.bench;

import java.util.Arrays;
import java.util.List;

/** Order statistics of a sample of durations in nanoseconds. */
record Stats(long[] sortedNanos) {
    static Stats of(List<Long> nanos) {
        long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return new Stats(a);
    }

    double p(double q) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.max(0, Math.ceil(q * sortedNanos.length) - 1));
        return sortedNanos[i] / 1e6;
    }

    double median() {
        return p(0.5);
    }

    int n() {
        return sortedNanos.length;
    }
}
