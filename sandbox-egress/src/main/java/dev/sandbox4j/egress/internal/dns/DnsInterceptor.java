package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressLog;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox's DNS interceptor: a DNS server on UDP and TCP (same port) that answers only what the sandbox's
 * {@link dev.sandbox4j.egress.EgressPolicy} allows, re-originating allowed queries to its upstreams and checking
 * every answer before the data plane is programmed ({@link dev.sandbox4j.egress.internal.LearnedAddressSink}) and
 * the answer released. Every decision becomes an audit event on the configured recorder.
 *
 * <p>Threads (platform threads, daemon): one UDP receiver, one TCP acceptor, a fixed pool of UDP workers with a
 * bounded queue, one thread per TCP connection up to the connection cap, and a small pool for the sink calls.
 * A query over the token-bucket budget, or arriving when the worker queue is full, is dropped and counted; one
 * more daemon thread reports such drops to the audit trail while they happen ({@link ShedReporter}), together with
 * the datagrams the kernel dropped because the socket's receive buffer was full, where the OS shows them
 * ({@link SocketDrops}, Linux).
 */
public final class DnsInterceptor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsInterceptor.class);

    private final DnsInterceptorConfig config;
    private final Counters counters = new Counters();
    private final QueryBudget budget;
    private final ShedReporter shedReporter;
    private final Object lifecycle = new Object();
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private volatile boolean started;
    private volatile boolean closed;
    private DatagramSocket udp;
    private ServerSocket tcp;
    private ThreadPoolExecutor workers;
    private ThreadPoolExecutor tcpWorkers;
    private ExecutorService gate;
    private ScheduledExecutorService auditTimer;
    private int udpPort;
    private boolean socketDropsLookedUp;
    private SocketDrops socketDrops;
    /** The socket is new, so the kernel's counter started at zero with it. */
    private long socketDropsSeen;
    private long droppedSeen;
    private QueryHandler handler;
    /** Two receivers: cached answers are built on the receiving thread, so two keep both cores busy. */
    private final Thread[] udpReceivers = new Thread[2];
    private Thread tcpAcceptor;

    /**
     * An interceptor for one sandbox; nothing is bound until {@link #start()}.
     *
     * @param config everything it needs
     */
    public DnsInterceptor(DnsInterceptorConfig config) {
        this.config = config;
        this.budget = new QueryBudget(config.queriesPerSecond(), config.queryBurst());
        this.shedReporter = new ShedReporter(config);
    }

    /** Counters since start; updated concurrently. */
    static final class Counters {
        final AtomicLong received = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong shed = new AtomicLong();
        final AtomicLong denied = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong cacheHits = new AtomicLong();
        final AtomicLong upstreamQueries = new AtomicLong();
        final AtomicLong parserExceptions = new AtomicLong();
        final AtomicLong uncaught = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong socketDrops = new AtomicLong();
    }

    /**
     * A snapshot of the interceptor's counters.
     *
     * @param received         packets and TCP messages read
     * @param answered         responses sent
     * @param dropped          packets dropped without a response (too short, QR=1)
     * @param shed             queries dropped over budget, queue or connection limits
     * @param denied           NXDOMAIN Prohibited
     * @param refused          REFUSED, NOTIMP, FORMERR, BADVERS, and SERVFAIL for caps
     * @param failed           SERVFAIL for upstream or enforcement failures
     * @param cacheHits        answers served from the cache
     * @param upstreamQueries  queries re-originated upstream
     * @param parserExceptions runtime exceptions the DNS parser threw on malformed input (turned into FORMERR)
     * @param uncaught         exceptions that escaped a handler: each is a bug
     * @param completed        queries whose handling finished, answered or not (received minus shed minus in flight)
     * @param socketDrops      datagrams the kernel dropped before the interceptor read them (full receive buffer),
     *                         as far as the OS shows them (Linux); never part of {@code received}
     */
    public record Stats(long received, long answered, long dropped, long shed, long denied, long refused, long failed,
            long cacheHits, long upstreamQueries, long parserExceptions, long uncaught, long completed,
            long socketDrops) {
    }

    /**
     * Binds UDP and TCP on the same port and starts serving. Idempotent; fails after {@link #close()}.
     *
     * @return this interceptor
     * @throws IllegalStateException if it was closed
     * @throws dev.sandbox4j.SandboxStartException if the address cannot be bound
     */
    public DnsInterceptor start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the DNS interceptor is closed; create a new one");
            }
            if (started) {
                return this;
            }
            try {
                bind();
            } catch (IOException e) {
                closeSockets();
                throw new SandboxStartException("could not bind the DNS interceptor to " + config.bind() + ": "
                        + e.getMessage() + " (choose another address or port 0)", e);
            }
            String name = "sandbox4j-dns-" + config.recorder().sandbox();
            gate = Executors.newFixedThreadPool(Math.max(2, config.workerThreads()), threads(name + "-gate"));
            handler = new QueryHandler(config, gate, counters);
            workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(config.workerQueue()), threads(name + "-udp-worker"),
                    new ThreadPoolExecutor.AbortPolicy());
            tcpWorkers = new ThreadPoolExecutor(0, config.maxTcpConnections(), 30, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), threads(name + "-tcp"), new ThreadPoolExecutor.AbortPolicy());
            for (int i = 0; i < udpReceivers.length; i++) {
                udpReceivers[i] = threads(name + "-udp").newThread(this::receiveUdp);
            }
            tcpAcceptor = threads(name + "-tcp-accept").newThread(this::acceptTcp);
            for (Thread t : udpReceivers) {
                t.start();
            }
            tcpAcceptor.start();
            udpPort = udp.getLocalPort();
            auditTimer = Executors.newSingleThreadScheduledExecutor(threads(name + "-audit"));
            long every = config.auditInterval().toNanos();
            auditTimer.scheduleWithFixedDelay(() -> guarded(this::audit), every, every, TimeUnit.NANOSECONDS);
            started = true;
            LOG.info("DNS interceptor for {} listening on {} (udp+tcp), upstreams {}", config.recorder().sandbox(),
                    address(), config.upstreams());
            return this;
        }
    }

    private void bind() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            udp = new DatagramSocket(null);
            if (config.receiveBufferBytes() > 0) {
                udp.setReceiveBufferSize(config.receiveBufferBytes());
            }
            udp.bind(config.bind());
            int port = udp.getLocalPort();
            tcp = new ServerSocket();
            tcp.setReuseAddress(true);
            try {
                tcp.bind(new InetSocketAddress(config.bind().getAddress(), port), 64);
                return;
            } catch (IOException e) {
                last = e;
                closeSockets();
                if (config.bind().getPort() != 0) {
                    break;
                }
            }
        }
        throw last == null ? new IOException("no free port") : last;
    }

    /**
     * Where the interceptor listens (UDP and TCP).
     *
     * @return the bound address, with the port actually chosen
     * @throws IllegalStateException if it is not started
     */
    public InetSocketAddress address() {
        DatagramSocket s = udp;
        if (s == null) {
            throw new IllegalStateException("the DNS interceptor is not started");
        }
        return new InetSocketAddress(config.bind().getAddress(), s.getLocalPort());
    }

    /**
     * The audit trail this interceptor writes.
     *
     * @return the recorder's log
     */
    public EgressLog log() {
        return config.recorder();
    }

    /** Forgets cached answers, for example after the enforcer flushed its learned sets. */
    public void clearCache() {
        QueryHandler h = handler;
        if (h != null) {
            h.clearCache();
        }
    }

    /** {@return the counters since start, read now} */
    public Stats stats() {
        Counters c = counters;
        return new Stats(c.received.get(), c.answered.get(), c.dropped.get(), c.shed.get(), c.denied.get(),
                c.refused.get(), c.failed.get(), c.cacheHits.get(), c.upstreamQueries.get(),
                c.parserExceptions.get(), c.uncaught.get(), c.completed.get(), c.socketDrops.get());
    }

    /**
     * Exceptions that escaped a handler since start; the fuzz tests require zero.
     *
     * @return how many there were
     */
    public long uncaughtExceptions() {
        return counters.uncaught.get();
    }

    private void receiveUdp() {
        byte[] buf = new byte[65535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS interceptor UDP receive failed; continuing", e);
                }
                continue;
            }
            counters.received.incrementAndGet();
            if (!budget.tryAcquire()) {
                shed(ShedReporter.Reason.BUDGET);
                continue;
            }
            InetSocketAddress client = (InetSocketAddress) p.getSocketAddress();
            // Denials, refusals and cached answers are answered here, on the receiving thread: no hand-off, no
            // copy. Only queries that must go upstream wait for a worker.
            byte[] fast = guardedAnswer(p.getData(), p.getLength());
            if (fast != QueryHandler.NEEDS_UPSTREAM) {
                counters.completed.incrementAndGet();
                if (fast != null) {
                    send(fast, client);
                }
                continue;
            }
            byte[] data = Arrays.copyOf(p.getData(), p.getLength());
            try {
                workers.execute(() -> guarded(() -> {
                    byte[] out;
                    try {
                        out = handler.handle(data, data.length, false);
                    } finally {
                        counters.completed.incrementAndGet();
                    }
                    if (out != null) {
                        send(out, client);
                    }
                }));
            } catch (RejectedExecutionException e) {
                shed(ShedReporter.Reason.QUEUE);
            }
        }
    }

    private byte[] guardedAnswer(byte[] buf, int len) {
        byte[][] out = {null};
        guarded(() -> out[0] = handler.handleCachedOnly(buf, len));
        return out[0];
    }

    private void send(byte[] out, InetSocketAddress client) {
        try {
            udp.send(new DatagramPacket(out, out.length, client));
            counters.answered.incrementAndGet();
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("could not send a DNS answer to {}", client, e);
            }
        }
    }

    private void acceptTcp() {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS interceptor TCP accept failed; continuing", e);
                }
                continue;
            }
            if (tcpConnections.incrementAndGet() > config.maxTcpConnections()) {
                tcpConnections.decrementAndGet();
                shed(ShedReporter.Reason.TCP_LIMIT);
                closeQuietly(s);
                continue;
            }
            try {
                tcpWorkers.execute(() -> {
                    try {
                        guarded(() -> serveTcp(s));
                    } finally {
                        tcpConnections.decrementAndGet();
                        closeQuietly(s);
                    }
                });
            } catch (RejectedExecutionException e) {
                tcpConnections.decrementAndGet();
                shed(ShedReporter.Reason.TCP_LIMIT);
                closeQuietly(s);
            }
        }
    }

    private void serveTcp(Socket s) {
        try {
            s.setSoTimeout((int) Math.max(1, config.tcpIdleTimeout().toMillis()));
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!closed) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (EOFException e) {
                    return;
                }
                if (len == 0) {
                    counters.dropped.incrementAndGet();
                    return;
                }
                byte[] data = new byte[len];
                in.readFully(data);
                counters.received.incrementAndGet();
                if (!budget.tryAcquire()) {
                    shed(ShedReporter.Reason.BUDGET);
                    return;
                }
                byte[] response;
                try {
                    response = handler.handle(data, len, true);
                } finally {
                    counters.completed.incrementAndGet();
                }
                if (response == null) {
                    continue;
                }
                byte[] framed = new byte[response.length + 2];
                framed[0] = (byte) (response.length >>> 8);
                framed[1] = (byte) response.length;
                System.arraycopy(response, 0, framed, 2, response.length);
                out.write(framed);
                out.flush();
                counters.answered.incrementAndGet();
            }
        } catch (SocketTimeoutException | EOFException e) {
            // idle or cut short: close the connection
        } catch (SocketException e) {
            // peer reset or we are closing
        } catch (IOException e) {
            LOG.debug("DNS interceptor TCP connection failed", e);
        }
    }

    /** Runs a handler step; anything that escapes is a bug, counted and reported, never propagated. */
    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            counters.uncaught.incrementAndGet();
            LOG.warn("DNS interceptor handler threw; the query got no answer", t);
            try {
                config.uncaughtHandler().accept(t);
            } catch (RuntimeException ignored) {
                // a failing hook must not break serving
            }
            if (t instanceof Error e && !(t instanceof StackOverflowError) && !(t instanceof AssertionError)) {
                throw e;
            }
        }
    }

    private void shed(ShedReporter.Reason reason) {
        counters.shed.incrementAndGet();
        shedReporter.count(reason);
    }

    /**
     * Runs once per audit interval (and at close): counts what the kernel dropped for the UDP socket and the
     * packets dropped unanswered since the last run, and reports everything pending.
     */
    private void audit() {
        synchronized (shedReporter) {
            if (!socketDropsLookedUp) {
                // off the start path: finding the socket reads this process's descriptor table once
                socketDropsLookedUp = true;
                socketDrops = SocketDrops.find(udpPort).orElse(null);
                if (socketDrops == null) {
                    LOG.debug("datagrams the kernel drops for the DNS interceptor of {} cannot be counted here",
                            config.recorder().sandbox());
                }
            }
            SocketDrops d = socketDrops;
            if (d != null) {
                long now = d.drops().orElse(socketDropsSeen);
                if (now > socketDropsSeen) {
                    counters.socketDrops.addAndGet(now - socketDropsSeen);
                    shedReporter.add(ShedReporter.Reason.SOCKET, now - socketDropsSeen);
                    socketDropsSeen = now;
                }
            }
            long dropped = counters.dropped.get();
            shedReporter.add(ShedReporter.Reason.MALFORMED, dropped - droppedSeen);
            droppedSeen = dropped;
            shedReporter.flush();
        }
    }

    /** Stops serving and releases sockets and threads. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (started) {
                audit(); // before the socket closes: its kernel counter goes with it
            }
            if (auditTimer != null) {
                auditTimer.shutdownNow();
            }
            closeSockets();
            for (ExecutorService e : new ExecutorService[] {workers, tcpWorkers, gate}) {
                if (e != null) {
                    e.shutdownNow();
                }
            }
            List<Thread> all = new ArrayList<>(List.of(udpReceivers));
            all.add(tcpAcceptor);
            for (Thread t : all) {
                if (t != null) {
                    try {
                        t.join(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            if (auditTimer != null && !Thread.currentThread().isInterrupted()) {
                try {
                    auditTimer.awaitTermination(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (started) {
                audit();
                LOG.info("DNS interceptor for {} stopped: {}", config.recorder().sandbox(), stats());
            }
        }
    }

    private void closeSockets() {
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            try {
                tcp.close();
            } catch (IOException e) {
                LOG.warn("could not close the DNS interceptor's TCP socket", e);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
