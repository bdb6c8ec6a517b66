package dev.sandbox4j.egress.internal.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads every {@link DnsInterceptor} in this JVM shares, created once on first use and kept (daemon
 * threads, a fixed number whatever the number of sandboxes):
 * <ul>
 *   <li>one event loop ({@value #THREAD_PREFIX}loop): a selector over every interceptor's UDP and TCP channels,
 *   all non-blocking. It reads queries, answers what needs no upstream (denials, refusals, cached answers) at once
 *   and hands the rest to the workers;</li>
 *   <li>a second event loop ({@value #THREAD_PREFIX}loop-2) that reads the same UDP channels, so one busy
 *   interceptor's cached answers are built on two cores;</li>
 *   <li>one shed loop ({@value #THREAD_PREFIX}shed-loop): the same work for the UDP channels of interceptors that
 *   went over their budget, until they have kept within it for a second. Reading and dropping a flood costs CPU
 *   on this thread, not on the loop that answers everyone else, which therefore sleeps until a query comes. It
 *   pauses 1 ms after each busy round, so a flood is read at a bounded pace; the kernel drops what the flooded
 *   socket cannot buffer meanwhile;</li>
 *   <li>{@link #WORKERS} workers ({@value #THREAD_PREFIX}worker-N) for the queries that block (upstream, CNAME
 *   chain, sink). Each interceptor has its own {@link Lane}: a bounded queue and a cap on its queries being
 *   worked on at once. Workers serve the lanes with work round-robin, one query per turn, so a flooded sandbox
 *   holds at most its cap of workers and its excess waits in, or is shed from, its own queue;</li>
 *   <li>{@link #QUICK_WORKERS} quick workers ({@value #THREAD_PREFIX}quick-worker-N) for lanes that had nothing on
 *   a worker when a query came (every worker takes those first). Under a flood they sleep, so when a quiet sandbox
 *   asks, the OS scheduler runs them at once instead of behind the busy workers;</li>
 *   <li>{@link #GATES} gate threads ({@value #THREAD_PREFIX}gate-N) that run the sink calls, so a worker can stop
 *   waiting for a slow enforcer after the gate timeout; each interceptor may hold at most its cap of them;</li>
 *   <li>one timer ({@value #THREAD_PREFIX}timer) for the periodic audit of every interceptor.</li>
 * </ul>
 * All {@link #maxThreads()} threads start with the engine, so the count stays constant from the first interceptor
 * on. The engine itself is never closed; closing an interceptor closes its channels and its lane.
 */
final class DnsEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DnsEngine.class);
    /** Every thread of the engine is named with this prefix. */
    static final String THREAD_PREFIX = "sandbox4j-dns-";
    /** Shared workers: max(4, 2 × cores). */
    static final int WORKERS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    /**
     * Workers that serve only lanes which had nothing on a worker: under a flood they sleep, so the scheduler runs
     * them at once when a quiet sandbox asks.
     */
    static final int QUICK_WORKERS = 2;
    /** Shared gate threads for sink calls: as many as workers. */
    static final int GATES = WORKERS;
    /**
     * The shed loop's pause after each busy round: it reads floods at a bounded pace and leaves the CPU to the
     * others; what the flooded sockets cannot buffer meanwhile the kernel drops (counted, {@link SocketDrops}).
     */
    private static final long SHED_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often the loop runs its tickers (TCP idle timeouts). */
    private static final long TICK_MILLIS = 100;

    private static DnsEngine shared;

    private final Loop loop;
    private final Loop loop2;
    private final Loop shedLoop;
    /** Lanes with queued work and room under their cap that had queries on a worker: round-robin. */
    private final BlockingQueue<Lane> ready = new LinkedBlockingQueue<>();
    /** Lanes that had nothing on a worker when a query came: served first, by any worker. */
    private final BlockingQueue<Lane> fresh = new LinkedBlockingQueue<>();
    /** One permit per lane listed in either queue (more when a quick worker took a fresh one): wakes the workers. */
    private final Semaphore wake = new Semaphore(0);
    private final ThreadPoolExecutor gatePool;
    private final ScheduledThreadPoolExecutor timer;

    private DnsEngine() {
        gatePool = new ThreadPoolExecutor(GATES, GATES, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads("gate"));
        gatePool.prestartAllCoreThreads(); // a constant thread count from the first interceptor on
        timer = new ScheduledThreadPoolExecutor(1, threads("timer"));
        timer.setRemoveOnCancelPolicy(true);
        timer.prestartAllCoreThreads();
        for (int i = 0; i < WORKERS; i++) {
            threads("worker").newThread(() -> work(false)).start();
        }
        for (int i = 0; i < QUICK_WORKERS; i++) {
            threads("quick-worker").newThread(() -> work(true)).start();
        }
        loop = new Loop("loop", 0);
        loop2 = new Loop("loop-2", 0);
        shedLoop = new Loop("shed-loop", SHED_PAUSE_NANOS);
    }

    /** The engine of this JVM, started on first use. */
    static synchronized DnsEngine shared() {
        if (shared == null) {
            shared = new DnsEngine();
            LOG.debug("DNS engine started: 2 loops, {} + {} workers, {} gate threads, 1 timer", WORKERS, QUICK_WORKERS,
                    GATES);
        }
        return shared;
    }

    /** The threads the engine runs: 6 + 2 × {@link #WORKERS}. */
    static int maxThreads() {
        return 3 + WORKERS + QUICK_WORKERS + GATES + 1;
    }

    /** What a registered channel does when it is ready; runs on the loop and must not block. */
    interface ReadyHandler {
        void ready(SelectionKey key);
    }

    /** The event loop of the interceptors' channels. */
    Loop loop() {
        return loop;
    }

    /** The second event loop, reading the interceptors' UDP channels too. */
    Loop loop2() {
        return loop2;
    }

    /**
     * The second event loop, for the UDP channels of interceptors over their budget: their floods are read and
     * shed there, while {@link #loop()} stays free to answer the others at once.
     */
    Loop shedLoop() {
        return shedLoop;
    }

    /** The shared timer: for short, non-blocking periodic work. */
    ScheduledExecutorService timer() {
        return timer;
    }

    /** A new lane: at most {@code capacity} queries waiting, at most {@code maxRunning} on workers at once. */
    Lane lane(int capacity, int maxRunning) {
        return new Lane(capacity, maxRunning);
    }

    /** A gate that runs at most {@code permits} sink calls of one interceptor at once on the shared gate threads. */
    Gate gate(int permits) {
        return new Gate(permits);
    }

    /** One selector and its thread; everything registered with it runs on that thread. */
    static final class Loop {
        private final Selector selector;
        private final Thread thread;
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        /** Loop thread only. */
        private final List<Runnable> tickers = new ArrayList<>();
        /** Loop thread only: every UDP read lands here first. */
        private final ByteBuffer receiveBuffer = ByteBuffer.allocate(65535);

        private final long pauseNanos;

        private Loop(String role, long pauseNanos) {
            this.pauseNanos = pauseNanos;
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("could not open a selector for the DNS interceptors", e);
            }
            thread = threads(role).newThread(this::run);
            thread.start();
        }

        /** Runs a task on the loop, soon; from any thread. */
        void onLoop(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        /** Runs a task on the loop and waits for it (directly when called on the loop). */
        <T> T callOnLoop(Callable<T> task) throws IOException {
            if (Thread.currentThread() == thread) {
                return call(task);
            }
            CompletableFuture<T> done = new CompletableFuture<>();
            onLoop(() -> {
                try {
                    done.complete(call(task));
                } catch (IOException | RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
            try {
                return done.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the DNS event loop", e);
            } catch (TimeoutException e) {
                throw new IOException("the DNS event loop did not run a task within 30 s", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw (RuntimeException) e.getCause();
            }
        }

        private static <T> T call(Callable<T> task) throws IOException {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }

        /** Wakes the loop, for example after a key's interest changed from another thread. */
        void wakeup() {
            selector.wakeup();
        }

        /** The selector; register channels with it only on the loop ({@link #callOnLoop}). */
        Selector selector() {
            return selector;
        }

        /** The loop's receive buffer; loop thread only. */
        ByteBuffer receiveBuffer() {
            return receiveBuffer;
        }

        /** Runs {@code ticker} on the loop about every 100 ms until removed. */
        void addTicker(Runnable ticker) {
            onLoop(() -> tickers.add(ticker));
        }

        void removeTicker(Runnable ticker) {
            onLoop(() -> tickers.remove(ticker));
        }

        private void run() {
            long lastTick = System.nanoTime();
            while (true) {
                runTasks();
                try {
                    if (selector.selectedKeys().isEmpty()) {
                        selector.select(TICK_MILLIS);
                    } else {
                        selector.selectNow();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("the DNS event loop could not select; continuing", e);
                    continue;
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                boolean busy = keys.hasNext();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    try {
                        if (key.isValid()) {
                            ((ReadyHandler) key.attachment()).ready(key);
                        }
                    } catch (CancelledKeyException e) {
                        // closed meanwhile
                    } catch (Throwable t) {
                        LOG.warn("a DNS interceptor's channel handler threw; the loop continues", t);
                    }
                }
                if (busy && pauseNanos > 0) {
                    LockSupport.parkNanos(pauseNanos);
                }
                long now = System.nanoTime();
                if (now - lastTick >= TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
                    lastTick = now;
                    for (Runnable t : List.copyOf(tickers)) {
                        guard(t);
                    }
                }
            }
        }

        private void runTasks() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                guard(task);
            }
        }

        private static void guard(Runnable task) {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.warn("a DNS engine task threw; the engine continues", t);
            }
        }
    }

    /**
     * A worker: takes a fresh lane, or else (not a quick worker) the lane at the head of the ready list, runs one of
     * its queries, lists it again.
     */
    private void work(boolean quick) {
        while (true) {
            Lane lane;
            try {
                if (quick) {
                    lane = fresh.take();
                } else {
                    wake.acquire();
                    lane = fresh.poll();
                    if (lane == null) {
                        lane = ready.poll();
                    }
                }
            } catch (InterruptedException e) {
                continue; // nobody interrupts the engine's threads; keep serving
            }
            if (lane == null) {
                continue;
            }
            Runnable task = lane.begin();
            if (task == null) {
                continue;
            }
            try {
                task.run();
            } catch (Throwable t) {
                LOG.warn("a DNS worker task threw; the worker continues", t);
            } finally {
                Thread.interrupted();
                lane.end();
            }
        }
    }

    /**
     * One interceptor's share of the workers: its own bounded queue and a cap on its queries being worked on.
     * Thread-safe.
     */
    final class Lane {
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private final int capacity;
        private final int maxRunning;
        private int running;
        private boolean listed;
        private boolean closed;

        private Lane(int capacity, int maxRunning) {
            this.capacity = capacity;
            this.maxRunning = maxRunning;
        }

        /**
         * Queues a query for a worker; false when the queue is full or the lane closed (the caller sheds it). A
         * lane with nothing on a worker is listed as fresh: the quick workers, and any worker first, serve it, so a
         * sandbox that asks now and then is answered ahead of those that keep the workers busy, which keep their
         * round-robin order among themselves. A lane is fresh with one query at a time only, since it must have
         * none on a worker to get there.
         */
        boolean offer(Runnable task) {
            boolean list;
            boolean idle;
            synchronized (this) {
                if (closed || queue.size() >= capacity) {
                    return false;
                }
                queue.add(task);
                list = !listed && running < maxRunning;
                listed |= list;
                idle = running == 0;
            }
            if (list) {
                (idle ? fresh : ready).add(this);
                wake.release();
            }
            return true;
        }

        /** A worker takes the next query; the lane goes to the back of the ready list if it has more and room. */
        private Runnable begin() {
            boolean list;
            Runnable task;
            synchronized (this) {
                task = queue.poll();
                if (task == null) {
                    listed = false;
                    return null;
                }
                running++;
                list = !queue.isEmpty() && running < maxRunning;
                listed = list;
            }
            if (list) {
                ready.add(this);
                wake.release();
            }
            return task;
        }

        private void end() {
            boolean list;
            synchronized (this) {
                running--;
                list = !listed && !queue.isEmpty() && running < maxRunning;
                listed |= list;
            }
            if (list) {
                ready.add(this);
                wake.release();
            }
        }

        /** Drops the queries still waiting; those on a worker finish. */
        synchronized void close() {
            closed = true;
            queue.clear();
        }
    }

    /** One interceptor's access to the gate threads: at most its permits of sink calls running at once. */
    final class Gate {
        private final Semaphore permits;
        private volatile boolean closed;

        private Gate(int permits) {
            this.permits = new Semaphore(permits);
        }

        /**
         * Runs the call on a gate thread. A permit is held until the call returns, also when the caller stopped
         * waiting, so a hung sink holds at most this interceptor's permits of the shared threads.
         *
         * @throws RejectedExecutionException when the gate is closed or all its permits are held
         */
        Future<?> submit(Callable<?> call) {
            if (closed || !permits.tryAcquire()) {
                throw new RejectedExecutionException("no gate permit");
            }
            AtomicBoolean started = new AtomicBoolean();
            FutureTask<Object> task = new FutureTask<>(() -> {
                started.set(true);
                try {
                    return call.call();
                } finally {
                    permits.release(); // before the future completes, so the caller's next call finds it free
                }
            });
            try {
                gatePool.execute(() -> {
                    task.run();
                    if (!started.get()) {
                        permits.release(); // cancelled before it ran
                    }
                });
            } catch (RejectedExecutionException e) {
                permits.release();
                throw e;
            }
            return task;
        }

        void close() {
            closed = true;
        }
    }

    private static ThreadFactory threads(String role) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, THREAD_PREFIX + role + (role.contains("loop") || role.equals("timer") ? ""
                    : "-" + n.incrementAndGet()));
            t.setDaemon(true);
            return t;
        };
    }
}
