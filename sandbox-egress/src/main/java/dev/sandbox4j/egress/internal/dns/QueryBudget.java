package dev.sandbox4j.egress.internal.dns;

/** A token bucket: {@code rate} tokens per second, at most {@code burst} saved. Thread-safe. */
final class QueryBudget {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    QueryBudget(double perSecond, int burst) {
        this.ratePerNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
