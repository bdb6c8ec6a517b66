package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports queries that got no answer as {@link EgressEvent.QueriesShed} events while it happens, one counter per
 * reason: the first of a burst at once, then the count since the previous event at most once per interval per
 * reason ({@link #flush} runs on a timer), and whatever is left at close. A flood therefore shows up in the audit
 * within about one interval, with its size, without flooding the audit itself. Thread-safe.
 */
final class ShedReporter {
    /** Why queries went unanswered. */
    enum Reason {
        /** Over the per-sandbox token bucket. */
        BUDGET,
        /** The sandbox's share of the shared workers busy and its queue full. */
        QUEUE,
        /** Every TCP connection slot taken. */
        TCP_LIMIT,
        /** Dropped by the kernel: the UDP socket's receive buffer was full. */
        SOCKET,
        /** Dropped unanswered: shorter than a DNS header, or a response (QR=1) sent to the interceptor. */
        MALFORMED
    }

    private final EgressRecorder recorder;
    private final Clock clock;
    private final long intervalNanos;
    private final String[] texts = new String[Reason.values().length];
    private final AtomicLong[] pending = new AtomicLong[Reason.values().length];
    private final AtomicLong[] lastReport = new AtomicLong[Reason.values().length];

    ShedReporter(DnsInterceptorConfig config) {
        this.recorder = config.recorder();
        this.clock = config.clock();
        this.intervalNanos = config.auditInterval().toNanos();
        texts[Reason.BUDGET.ordinal()] = "query budget of " + config.queriesPerSecond() + "/s (burst "
                + config.queryBurst() + ") exhausted";
        texts[Reason.QUEUE.ordinal()] = "the sandbox's " + config.workerThreads() + " worker slots busy and "
                + config.workerQueue() + " queries queued";
        texts[Reason.TCP_LIMIT.ordinal()] = "TCP connection limit of " + config.maxTcpConnections() + " reached";
        texts[Reason.SOCKET.ordinal()] = "dropped by the kernel before they were read: the UDP socket's receive"
                + " buffer was full";
        texts[Reason.MALFORMED.ordinal()] = "dropped unanswered: shorter than a DNS header, or a response (QR=1)";
        long longAgo = System.nanoTime() - Duration.ofDays(1).toNanos();
        for (int i = 0; i < pending.length; i++) {
            pending[i] = new AtomicLong();
            lastReport[i] = new AtomicLong(longAgo);
        }
    }

    /** One more unanswered query; reported at once if the reason had no event within the interval. */
    void count(Reason reason) {
        add(reason, 1);
    }

    /** More unanswered queries; reported at once if the reason had no event within the interval. */
    void add(Reason reason, long n) {
        if (n <= 0) {
            return;
        }
        int i = reason.ordinal();
        pending[i].addAndGet(n);
        long now = System.nanoTime();
        long last = lastReport[i].get();
        if (now - last >= intervalNanos && lastReport[i].compareAndSet(last, now)) {
            report(i);
        }
    }

    /** Reports every reason with a count since its previous event; runs once per interval and at close. */
    void flush() {
        long now = System.nanoTime();
        for (int i = 0; i < pending.length; i++) {
            if (pending[i].get() > 0) {
                lastReport[i].set(now);
                report(i);
            }
        }
    }

    private void report(int i) {
        long n = pending[i].getAndSet(0);
        if (n > 0) {
            recorder.record(new EgressEvent.QueriesShed(clock.instant(), n, texts[i]));
        }
    }
}
