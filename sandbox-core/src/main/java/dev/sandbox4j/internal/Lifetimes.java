package dev.sandbox4j.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle and maximum lifetimes of sandboxes, enforced by one daemon timer thread for the whole JVM (not a thread per
 * sandbox): each watched sandbox has one scheduled check at its next deadline. A check that finds the sandbox
 * busy, or used since the check was planned, moves the idle deadline on; a deadline that passed hands the
 * sandbox's expiry action to a small pool of closer threads, so a slow {@code close()} never delays other
 * sandboxes' checks.
 */
public final class Lifetimes {
    private static final Logger LOG = LoggerFactory.getLogger(Lifetimes.class);
    private static final ScheduledThreadPoolExecutor TIMER;
    private static final ExecutorService CLOSERS;

    static {
        TIMER = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "sandbox4j-lifetimes"));
        TIMER.setRemoveOnCancelPolicy(true);
        AtomicInteger n = new AtomicInteger();
        CLOSERS = Executors.newCachedThreadPool(r -> daemon(r, "sandbox4j-expiry-" + n.incrementAndGet()));
    }

    private Lifetimes() {
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Watches one sandbox. {@code onExpiry} receives why it expired ("idle for 30 s", "reached its maximum
     * lifetime of 1 h") and runs once, on a closer thread.
     *
     * @param idle     close after this long without use; empty for none
     * @param max      close this long after now; empty for none
     * @param busy     whether the sandbox is in use right now (an exec running): then it is not idle
     */
    public static Lease watch(String name, Optional<Duration> idle, Optional<Duration> max, BooleanSupplier busy,
                              Consumer<String> onExpiry) {
        Lease lease = new Lease(name, idle, max, busy, onExpiry);
        lease.schedule(lease.nextCheckNanos(System.nanoTime()));
        return lease;
    }

    /** One watched sandbox: {@link #touch()} on every use, {@link #cancel()} when it closes. */
    public static final class Lease {
        private final String name;
        private final long idleNanos;
        private final long deadline;
        private final boolean hasDeadline;
        private final Optional<Duration> idle;
        private final Optional<Duration> max;
        private final BooleanSupplier busy;
        private final Consumer<String> onExpiry;
        private volatile long lastUse = System.nanoTime();
        private volatile boolean done;
        private ScheduledFuture<?> next;

        private Lease(String name, Optional<Duration> idle, Optional<Duration> max, BooleanSupplier busy,
                      Consumer<String> onExpiry) {
            this.name = name;
            this.idle = idle;
            this.max = max;
            this.idleNanos = idle.map(Duration::toNanos).orElse(0L);
            this.hasDeadline = max.isPresent();
            this.deadline = lastUse + max.map(Duration::toNanos).orElse(0L);
            this.busy = busy;
            this.onExpiry = onExpiry;
        }

        /** Records a use: the idle clock starts again. */
        public void touch() {
            lastUse = System.nanoTime();
        }

        /** Stops watching; idempotent. */
        public synchronized void cancel() {
            done = true;
            if (next != null) {
                next.cancel(false);
            }
        }

        private long nextCheckNanos(long now) {
            long wait = Long.MAX_VALUE;
            if (hasDeadline) {
                wait = deadline - now;
            }
            if (idleNanos > 0) {
                wait = Math.min(wait, lastUse + idleNanos - now);
            }
            return Math.max(wait, 0);
        }

        private synchronized void schedule(long nanos) {
            if (done || nanos == Long.MAX_VALUE) {
                return;
            }
            next = TIMER.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
        }

        private void check() {
            if (done) {
                return;
            }
            long now = System.nanoTime();
            if (hasDeadline && now - deadline >= 0) {
                expire("reached its maximum lifetime of " + Durations.human(max.orElseThrow()));
                return;
            }
            if (idleNanos > 0) {
                if (busy.getAsBoolean()) {
                    lastUse = now;
                } else if (now - lastUse >= idleNanos) {
                    expire("was idle for " + Durations.human(idle.orElseThrow()));
                    return;
                }
            }
            schedule(nextCheckNanos(now));
        }

        private void expire(String why) {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
            }
            LOG.info("closing sandbox {}: it {}", name, why);
            CLOSERS.execute(() -> {
                try {
                    onExpiry.accept(why);
                } catch (RuntimeException e) {
                    LOG.warn("could not close expired sandbox {}", name, e);
                }
            });
        }
    }

    /** Small formatting of durations for messages. */
    static final class Durations {
        private Durations() {
        }

        static String human(Duration d) {
            if (d.toMillis() % 1000 != 0 || d.isZero()) {
                return d.toMillis() + " ms";
            }
            long s = d.toSeconds();
            if (s % 3600 == 0) {
                return s / 3600 + " h";
            }
            if (s % 60 == 0) {
                return s / 60 + " min";
            }
            return s + " s";
        }
    }
}
