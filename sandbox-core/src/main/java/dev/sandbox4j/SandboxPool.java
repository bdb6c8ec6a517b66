package dev.sandbox4j;

import dev.sandbox4j.egress.EgressLog;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps sandboxes of one {@link SandboxSpec} started ahead of need, so {@link #acquire()} hands one out at once.
 * Refills run in the background and never block a caller; when the pool is empty, {@code acquire()} starts a
 * sandbox on the caller's thread instead of waiting for a refill.
 *
 * <p>A sandbox handed out is dirty once used: closing it (or {@link #release}) discards it, unless a
 * {@linkplain Builder#resetCommand reset command} was configured and succeeds, in which case it goes back into
 * the pool. Closing the pool closes every sandbox it holds; sandboxes handed out stay the caller's to close.
 *
 * <pre>{@code
 * try (SandboxPool pool = SandboxPool.builder(spec).size(4).build()) {
 *     try (Sandbox sandbox = pool.acquire()) {
 *         sandbox.exec("make", "test");
 *     }
 * }
 * }</pre>
 */
public final class SandboxPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxPool.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final SandboxSpec spec;
    private final int size;
    private final Optional<Exec> resetCommand;
    private final LinkedBlockingDeque<Sandbox> warm = new LinkedBlockingDeque<>();
    private final AtomicInteger starting = new AtomicInteger();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService refills;

    private SandboxPool(Builder b) {
        this.spec = b.spec;
        this.size = b.size;
        this.resetCommand = Optional.ofNullable(b.resetCommand);
        int id = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.refills = Executors.newFixedThreadPool(b.refillThreads, r -> {
            Thread t = new Thread(r, "sandbox4j-pool-" + id + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        refill();
    }

    /**
     * A builder for a pool of sandboxes started from {@code spec}.
     *
     * @param spec the spec every pooled sandbox is started from
     * @return a new builder
     * @throws SandboxConfigException if {@code spec} is null
     */
    public static Builder builder(SandboxSpec spec) {
        return new Builder(spec);
    }

    /**
     * Takes a warm sandbox, or starts one on this thread when none is ready. Closing it returns or discards it.
     * Triggers a background refill.
     *
     * @return a sandbox on loan; close it (or pass it to {@link #release(Sandbox)}) when done
     * @throws SandboxClosedException if the pool is closed
     * @throws SandboxException if no sandbox was ready and starting one failed
     */
    public Sandbox acquire() {
        if (closed.get()) {
            throw new SandboxClosedException("this sandbox pool is closed");
        }
        Sandbox sandbox = warm.pollFirst();
        while (sandbox != null && sandbox.isClosed()) {
            sandbox = warm.pollFirst();  // closed while it waited: its idleTimeout or maxLifetime passed
        }
        refill();
        if (sandbox == null) {
            sandbox = spec.start();
        }
        return new Leased(sandbox);
    }

    /** {@return how many sandboxes are started and waiting right now} */
    public int available() {
        return warm.size();
    }

    /**
     * Hands a sandbox back: reset and kept when a reset command is set and succeeds, else closed. Releasing a
     * sandbox twice does nothing the second time.
     *
     * @param sandbox a sandbox from {@link #acquire()}; any other sandbox is reset and adopted, or closed
     */
    public void release(Sandbox sandbox) {
        Sandbox inner = sandbox instanceof Leased l ? l.release() : sandbox;
        if (inner == null) {
            return;
        }
        if (!closed.get() && resetCommand.isPresent() && size > 0) {
            try {
                if (inner.exec(resetCommand.get()).exitCode() == 0) {
                    warm.offerFirst(inner);
                    Sandbox extra;
                    while (warm.size() > size && (extra = warm.pollLast()) != null) {
                        Sandbox surplus = extra;
                        refills.execute(() -> closeQuietly(surplus));
                    }
                    return;
                }
                LOG.info("reset command failed in {}; discarding it", inner.id());
            } catch (SandboxException e) {
                LOG.info("reset command failed in {}; discarding it: {}", inner.id(), e.getMessage());
            }
        }
        refills.execute(() -> closeQuietly(inner));
    }

    private void refill() {
        while (!closed.get()) {
            int inFlight = starting.get();
            if (warm.size() + inFlight >= size || failuresInARow.get() >= 3) {
                return;
            }
            if (starting.compareAndSet(inFlight, inFlight + 1)) {
                try {
                    refills.execute(this::startOne);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    starting.decrementAndGet();
                    return;
                }
            }
        }
    }

    private void startOne() {
        try {
            Sandbox sandbox = spec.start();
            failuresInARow.set(0);
            if (closed.get()) {
                closeQuietly(sandbox);
            } else {
                warm.offerLast(sandbox);
            }
        } catch (RuntimeException e) {
            int failures = failuresInARow.incrementAndGet();
            LOG.warn("pool could not start a sandbox ({} failures in a row{})", failures,
                    failures >= 3 ? "; background refills stop until a sandbox starts" : "", e);
        } finally {
            starting.decrementAndGet();
        }
        if (failuresInARow.get() == 0) {
            refill();
        }
    }

    private static void closeQuietly(Sandbox sandbox) {
        try {
            sandbox.close();
        } catch (RuntimeException e) {
            LOG.warn("could not close pooled sandbox {}", sandbox.id(), e);
        }
    }

    /** Closes every sandbox the pool holds and stops refilling. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        refills.shutdown();
        try {
            if (!refills.awaitTermination(2, TimeUnit.MINUTES)) {
                LOG.warn("pool refills did not finish within 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Sandbox s;
        while ((s = warm.pollFirst()) != null) {
            closeQuietly(s);
        }
    }

    /** Builder for {@link SandboxPool}. */
    public static final class Builder {
        private final SandboxSpec spec;
        private int size = 2;
        private int refillThreads = 1;
        private Exec resetCommand;

        private Builder(SandboxSpec spec) {
            if (spec == null) {
                throw new SandboxConfigException("a pool needs a spec: SandboxPool.builder(Sandbox.builder()...build())");
            }
            this.spec = spec;
        }

        /**
         * How many started sandboxes to keep ready; default 2.
         *
         * @param size 0 to 256; 0 starts each sandbox on demand in {@link SandboxPool#acquire()}
         * @return this builder
         * @throws SandboxConfigException if {@code size} is out of range
         */
        public Builder size(int size) {
            if (size < 0 || size > 256) {
                throw new SandboxConfigException("pool size must be between 0 and 256, got " + size);
            }
            this.size = size;
            return this;
        }

        /**
         * How many sandboxes may be starting at once in the background; default 1.
         *
         * @param threads 1 to 16
         * @return this builder
         * @throws SandboxConfigException if {@code threads} is out of range
         */
        public Builder refillThreads(int threads) {
            if (threads < 1 || threads > 16) {
                throw new SandboxConfigException("refill threads must be between 1 and 16, got " + threads);
            }
            this.refillThreads = threads;
            return this;
        }

        /**
         * A command that makes a used sandbox clean again (e.g. {@code rm -rf /work/*}); when set and it exits 0,
         * released sandboxes are reused. Default: none, every released sandbox is discarded.
         *
         * @param command the reset command, or {@code null} for none
         * @return this builder
         */
        public Builder resetCommand(Exec command) {
            this.resetCommand = command;
            return this;
        }

        /**
         * Makes the pool and starts filling it in the background.
         *
         * @return the pool; close it to close every sandbox it holds
         */
        public SandboxPool build() {
            return new SandboxPool(this);
        }
    }

    /** A sandbox on loan: closing it gives it back to the pool. */
    private final class Leased implements Sandbox {
        private volatile Sandbox delegate;

        Leased(Sandbox delegate) {
            this.delegate = delegate;
        }

        Sandbox release() {
            Sandbox d = delegate;
            delegate = null;
            return d;
        }

        private Sandbox d() {
            Sandbox d = delegate;
            if (d == null) {
                throw new SandboxClosedException("this sandbox was returned to its pool; acquire another");
            }
            return d;
        }

        @Override
        public String id() {
            return d().id();
        }

        @Override
        public String name() {
            return d().name();
        }

        @Override
        public SandboxSpec spec() {
            return spec;
        }

        @Override
        public String runtimeName() {
            return d().runtimeName();
        }

        @Override
        public ExecResult exec(Exec exec, ExecListener listener) {
            return d().exec(exec, listener);
        }

        @Override
        public BackgroundProcess start(Exec exec, ExecListener listener) {
            return d().start(exec, listener);
        }

        @Override
        public int hostPort(int containerPort) {
            return d().hostPort(containerPort);
        }

        @Override
        public Map<Integer, Integer> hostPorts() {
            return d().hostPorts();
        }

        @Override
        public void copyTo(Path source, String target) {
            d().copyTo(source, target);
        }

        @Override
        public void copyFrom(String source, Path target) {
            d().copyFrom(source, target);
        }

        @Override
        public String logs() {
            return d().logs();
        }

        @Override
        public LogStream followLogs(ExecListener listener) {
            return d().followLogs(listener);
        }

        @Override
        public EgressLog egressLog() {
            return d().egressLog();
        }

        @Override
        public boolean isClosed() {
            Sandbox d = delegate;
            return d == null || d.isClosed();
        }

        @Override
        public void close() {
            if (delegate != null) {
                SandboxPool.this.release(this);
            }
        }

        @Override
        public String toString() {
            Sandbox d = delegate;
            return "Leased{" + (d == null ? "returned" : d.toString()) + "}";
        }
    }
}
