package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox's DNS interceptor: a DNS server on UDP and TCP (same port) that answers only what the sandbox's
 * {@link dev.sandbox4j.egress.EgressPolicy} allows, re-originating allowed queries to its upstreams and checking
 * every answer before the data plane is programmed ({@link dev.sandbox4j.egress.internal.LearnedAddressSink}) and
 * the answer released. Every decision becomes an audit event on the configured recorder.
 *
 * <p>Threads: none of its own. Every interceptor in the JVM is served by the same fixed set of daemon threads
 * ({@link DnsEngine}, named {@code sandbox4j-dns-*}): one event loop reads every interceptor's non-blocking UDP
 * and TCP channels and answers denials, refusals and cached answers at once (a second one reads the same UDP
 * channels); a shed loop does the same for the UDP channels of interceptors over their budget, at a bounded pace,
 * so that a flood is read off the loops that answer the others; a small shared pool of workers resolves the rest
 * (upstream, CNAME chain, sink), two quick workers only for interceptors with nothing on a worker; shared gate
 * threads run the sink calls so that a slow enforcer can be given up on after
 * {@link DnsInterceptorConfig#gateTimeout()}; one shared timer runs the audit. Starting more interceptors adds no
 * threads. Each interceptor keeps its own budgets: its token bucket ({@link DnsInterceptorConfig#queriesPerSecond()}),
 * its queue of queries waiting for a worker ({@link DnsInterceptorConfig#workerQueue()}), its cap on queries on
 * the workers at once ({@link DnsInterceptorConfig#workerThreads()}: workers take the interceptors with work
 * round-robin, one query per turn, an idle one first, so a flooded one holds at most its cap while the others are
 * answered), and its TCP connection cap and idle timeout. A query over the token-bucket budget or arriving when
 * its queue is full, and a TCP connection over the cap, is dropped and counted; the shared timer reports such
 * drops to the audit trail while they happen ({@link ShedReporter}), together with the datagrams the kernel
 * dropped because the socket's receive buffer was full, where the OS shows them ({@link SocketDrops}, Linux).
 *
 * <p>What the sharing does not isolate: CPU, and blocking upstreams. The workers block on upstream queries, so
 * when the flooded sandboxes' upstreams stop answering, the workers they hold (their caps, together) come back
 * only at the upstream timeout.
 */
public final class DnsInterceptor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsInterceptor.class);
    /** How long an interceptor stays on the shed loop after its last query over budget. */
    private static final long SHED_LOOP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Datagrams read per turn of the loop before the next ready channel gets its turn. */
    private static final int READS_PER_TURN = 32;
    /**
     * Datagrams over the budget read per turn: a flooded interceptor's turn ends after these, so the loop comes
     * round to the others soon; what its socket cannot hold meanwhile the kernel drops (counted, {@link SocketDrops}).
     */
    private static final int SHED_PER_TURN = 4;
    /** Connections accepted per turn of the loop. */
    private static final int ACCEPTS_PER_TURN = 16;

    private final DnsInterceptorConfig config;
    private final Counters counters = new Counters();
    private final QueryBudget budget;
    private final ShedReporter shedReporter;
    private final Object lifecycle = new Object();
    /** Open TCP connections; loop thread only. */
    private final Set<Connection> connections = new HashSet<>();
    private final Runnable idleCheck = this::closeIdleConnections;
    private volatile boolean started;
    private volatile boolean closed;
    private DnsEngine engine;
    private DatagramChannel udp;
    private ServerSocketChannel tcp;
    private DnsEngine.Lane lane;
    private DnsEngine.Gate gate;
    private ScheduledFuture<?> auditTask;
    /** The UDP channel's keys on the two loops; exactly one of them has read interest. */
    private volatile SelectionKey udpKey;
    private volatile SelectionKey udpKey2;
    private volatile SelectionKey udpShedKey;
    /** Written by the loop that reads the UDP channel (one at a time, handing over through the keys). */
    private volatile long lastOverBudget;
    private volatile int udpPort;
    private boolean socketDropsLookedUp;
    private SocketDrops socketDrops;
    /** The socket is new, so the kernel's counter started at zero with it. */
    private long socketDropsSeen;
    private long droppedSeen;
    private QueryHandler handler;

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
                closeChannels();
                throw new SandboxStartException("could not bind the DNS interceptor to " + config.bind() + ": "
                        + e.getMessage() + " (choose another address or port 0)", e);
            }
            engine = DnsEngine.shared();
            lane = engine.lane(config.workerQueue(), config.workerThreads());
            gate = engine.gate(Math.max(2, config.workerThreads()));
            handler = new QueryHandler(config, gate, counters);
            try {
                DnsEngine.Loop main = engine.loop();
                DnsEngine.Loop shedding = engine.shedLoop();
                DnsEngine.Loop second = engine.loop2();
                udpShedKey = shedding.callOnLoop(() -> udp.register(shedding.selector(), 0,
                        (DnsEngine.ReadyHandler) k -> readUdp(shedding)));
                udpKey2 = second.callOnLoop(() -> udp.register(second.selector(), SelectionKey.OP_READ,
                        (DnsEngine.ReadyHandler) k -> readUdp(second)));
                main.callOnLoop(() -> {
                    udpKey = udp.register(main.selector(), SelectionKey.OP_READ,
                            (DnsEngine.ReadyHandler) k -> readUdp(main));
                    tcp.register(main.selector(), SelectionKey.OP_ACCEPT, (DnsEngine.ReadyHandler) k -> acceptTcp());
                    return null;
                });
            } catch (IOException e) {
                closeChannels();
                throw new SandboxStartException("could not start serving DNS on " + address() + ": "
                        + e.getMessage(), e);
            }
            engine.loop().addTicker(idleCheck);
            long every = config.auditInterval().toNanos();
            auditTask = engine.timer().scheduleWithFixedDelay(() -> guarded(this::audit), every, every,
                    TimeUnit.NANOSECONDS);
            started = true;
            LOG.info("DNS interceptor for {} listening on {} (udp+tcp), upstreams {}", config.recorder().sandbox(),
                    address(), config.upstreams());
            return this;
        }
    }

    private void bind() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            udp = DatagramChannel.open();
            if (config.receiveBufferBytes() > 0) {
                udp.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferBytes());
            }
            udp.bind(config.bind());
            int port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
            tcp = ServerSocketChannel.open();
            tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            try {
                tcp.bind(new InetSocketAddress(config.bind().getAddress(), port), 64);
                udp.configureBlocking(false);
                tcp.configureBlocking(false);
                udpPort = port;
                return;
            } catch (IOException e) {
                last = e;
                closeChannels();
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
        int port = udpPort;
        if (port == 0) {
            throw new IllegalStateException("the DNS interceptor is not started");
        }
        return new InetSocketAddress(config.bind().getAddress(), port);
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

    /**
     * On a loop: reads up to {@link #READS_PER_TURN} datagrams. Denials, refusals and cached answers are
     * answered here, with no hand-off; only queries that must go upstream wait for a worker in this interceptor's
     * lane. A query over the budget moves the channel to the shed loop; a second within the budget there moves
     * it back.
     */
    private void readUdp(DnsEngine.Loop on) {
        int overBudget = readUdpTurn(on.receiveBuffer());
        long now = System.nanoTime();
        if (overBudget > 0) {
            lastOverBudget = now;
        }
        boolean shedding = on == engine.shedLoop();
        if (!shedding && overBudget > 0) {
            moveUdp(true);
        } else if (shedding && now - lastOverBudget >= SHED_LOOP_NANOS) {
            moveUdp(false);
        }
    }

    /** Hands the UDP channel to the shed loop or back: read interest off on one side, on on the other. */
    private void moveUdp(boolean toShedLoop) {
        try {
            int main = toShedLoop ? 0 : SelectionKey.OP_READ;
            udpKey.interestOps(main);
            udpKey2.interestOps(main);
            udpShedKey.interestOps(SelectionKey.OP_READ - main);
            engine.loop().wakeup();
            engine.loop2().wakeup();
            engine.shedLoop().wakeup();
        } catch (java.nio.channels.CancelledKeyException e) {
            // closing
        }
    }

    /** One turn's reads; returns how many were over the budget. */
    private int readUdpTurn(ByteBuffer buf) {
        int overBudget = 0;
        for (int i = 0; i < READS_PER_TURN && overBudget < SHED_PER_TURN && !closed; i++) {
            buf.clear();
            InetSocketAddress client;
            try {
                client = (InetSocketAddress) udp.receive(buf);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS interceptor UDP receive failed; continuing", e);
                }
                return overBudget;
            }
            if (client == null) {
                return overBudget;
            }
            counters.received.incrementAndGet();
            if (!budget.tryAcquire()) {
                shed(ShedReporter.Reason.BUDGET);
                overBudget++;
                continue;
            }
            byte[] fast = guardedAnswer(buf.array(), buf.position());
            if (fast != QueryHandler.NEEDS_UPSTREAM) {
                counters.completed.incrementAndGet();
                if (fast != null) {
                    send(fast, client);
                }
                continue;
            }
            byte[] data = Arrays.copyOf(buf.array(), buf.position());
            boolean queued = lane.offer(() -> guarded(() -> {
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
            if (!queued) {
                shed(ShedReporter.Reason.QUEUE);
            }
        }
        return overBudget;
    }

    private byte[] guardedAnswer(byte[] buf, int len) {
        byte[][] out = {null};
        guarded(() -> out[0] = handler.handleCachedOnly(buf, len));
        return out[0];
    }

    /** Sends an answer; from the loop or a worker (a datagram channel sends from any thread). */
    private void send(byte[] out, InetSocketAddress client) {
        try {
            if (udp.send(ByteBuffer.wrap(out), client) > 0) {
                counters.answered.incrementAndGet();
            } else {
                LOG.debug("the send buffer was full; a DNS answer to {} was not sent", client);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("could not send a DNS answer to {}", client, e);
            }
        }
    }

    /** On the loop: accepts connections up to the cap; one over it is closed at once and counted as shed. */
    private void acceptTcp() {
        for (int i = 0; i < ACCEPTS_PER_TURN && !closed; i++) {
            SocketChannel s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS interceptor TCP accept failed; continuing", e);
                }
                return;
            }
            if (s == null) {
                return;
            }
            if (connections.size() >= config.maxTcpConnections()) {
                shed(ShedReporter.Reason.TCP_LIMIT);
                closeQuietly(s);
                continue;
            }
            try {
                s.configureBlocking(false);
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(s);
                c.key = s.register(engine.loop().selector(), SelectionKey.OP_READ, c);
                connections.add(c);
            } catch (IOException e) {
                closeQuietly(s);
            }
        }
    }

    /** On the loop: closes the TCP connections idle (no byte read or written) for the idle timeout. */
    private void closeIdleConnections() {
        long now = System.nanoTime();
        long idle = config.tcpIdleTimeout().toNanos();
        for (Connection c : List.copyOf(connections)) {
            if (!c.onWorker && now - c.lastActive >= idle) {
                c.close();
            }
        }
    }

    /**
     * One TCP connection, served on the loop: reads one length-prefixed query at a time, stops reading while a
     * worker answers it, writes the answer, then reads the next. Loop thread only, except {@link #answer}.
     */
    private final class Connection implements DnsEngine.ReadyHandler {
        private final SocketChannel channel;
        private final ByteBuffer length = ByteBuffer.allocate(2);
        private SelectionKey key;
        private ByteBuffer body;
        private ByteBuffer out;
        private long lastActive = System.nanoTime();
        /** A query of this connection is waiting for or on a worker: the idle timeout does not run. */
        private boolean onWorker;
        private boolean open = true;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void ready(SelectionKey k) {
            try {
                if (k.isWritable()) {
                    write();
                } else if (k.isReadable()) {
                    read();
                }
            } catch (IOException e) {
                // peer reset, cut short or we are closing
                close();
            }
        }

        private void read() throws IOException {
            lastActive = System.nanoTime();
            if (body == null) {
                if (channel.read(length) < 0) {
                    close();
                    return;
                }
                if (length.hasRemaining()) {
                    return;
                }
                int len = ((length.get(0) & 0xff) << 8) | (length.get(1) & 0xff);
                if (len == 0) {
                    counters.dropped.incrementAndGet();
                    close();
                    return;
                }
                body = ByteBuffer.allocate(len);
            }
            if (channel.read(body) < 0) {
                close();
                return;
            }
            if (body.hasRemaining()) {
                return;
            }
            byte[] data = body.array();
            body = null;
            length.clear();
            counters.received.incrementAndGet();
            if (!budget.tryAcquire()) {
                shed(ShedReporter.Reason.BUDGET);
                close();
                return;
            }
            onWorker = true;
            key.interestOps(0);
            if (!lane.offer(() -> answer(data))) {
                shed(ShedReporter.Reason.QUEUE);
                close();
            }
        }

        /** On a worker: resolves the query, then hands the answer back to the loop. */
        private void answer(byte[] data) {
            byte[][] response = {null};
            boolean[] threw = {true};
            try {
                guarded(() -> {
                    response[0] = handler.handle(data, data.length, true);
                    threw[0] = false;
                });
            } finally {
                counters.completed.incrementAndGet();
                engine.loop().onLoop(() -> respond(threw[0], response[0]));
            }
        }

        /** On the loop: writes the answer (none: read the next query; a handler that threw: close). */
        private void respond(boolean threw, byte[] response) {
            onWorker = false;
            lastActive = System.nanoTime();
            if (!open) {
                return;
            }
            if (threw) {
                close();
                return;
            }
            if (response == null) {
                key.interestOps(SelectionKey.OP_READ);
                return;
            }
            out = ByteBuffer.allocate(response.length + 2);
            out.put((byte) (response.length >>> 8)).put((byte) response.length).put(response).flip();
            try {
                write();
            } catch (IOException e) {
                close();
            }
        }

        private void write() throws IOException {
            if (channel.write(out) > 0) {
                lastActive = System.nanoTime();
            }
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            out = null;
            counters.answered.incrementAndGet();
            key.interestOps(SelectionKey.OP_READ);
        }

        void close() {
            if (!open) {
                return;
            }
            open = false;
            connections.remove(this);
            if (key != null) {
                key.cancel();
            }
            closeQuietly(channel);
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

    /**
     * Stops serving and releases the sockets; queries still waiting for a worker are dropped, those on a worker
     * finish without an answer. The shared threads stay. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            if (started) {
                audit(); // before the socket closes: its kernel counter goes with it
            }
            closed = true;
            if (auditTask != null) {
                auditTask.cancel(false);
            }
            if (engine != null) {
                engine.loop().removeTicker(idleCheck);
                try {
                    engine.loop().callOnLoop(() -> {
                        closeChannels();
                        List.copyOf(connections).forEach(Connection::close);
                        return engine.loop().selector().selectNow(); // deregisters the keys now
                    });
                    // the UDP channel is registered with three loops; its socket closes once all deregistered it
                    engine.loop2().callOnLoop(() -> engine.loop2().selector().selectNow());
                    engine.shedLoop().callOnLoop(() -> engine.shedLoop().selector().selectNow());
                } catch (IOException e) {
                    LOG.warn("could not close the DNS interceptor's channels on the event loop", e);
                    closeChannels();
                }
            } else {
                closeChannels();
            }
            if (lane != null) {
                lane.close(); // after the channels: nothing read any more is shed for want of a queue
            }
            if (gate != null) {
                gate.close();
            }
            if (started) {
                audit();
                LOG.info("DNS interceptor for {} stopped: {}", config.recorder().sandbox(), stats());
            }
        }
    }

    private void closeChannels() {
        if (udp != null) {
            closeQuietly(udp);
        }
        if (tcp != null) {
            closeQuietly(tcp);
        }
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.warn("could not close a DNS interceptor channel", e);
        }
    }
}
