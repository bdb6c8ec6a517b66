package dev.sandbox4j.egress.internal.relay;

import dev.sandbox4j.SandboxStartException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM end of one sandbox's relay: a unix-socket server (one request per connection, {@link RelayProtocol})
 * that answers DNS queries through the sandbox's DNS interceptor and opens the TCP connections
 * {@link RelayDecisions} allows, from the host, splicing bytes both ways. Closing it ends every relayed
 * connection and removes the socket file, so the sandbox (which has no NIC) has no network at all.
 *
 * <p>Threads (platform, daemon): one acceptor, one per request, one more per direction of a relayed connection;
 * at most {@link #MAX_CONNECTIONS} requests at once, more are answered {@link RelayProtocol#FAILED}.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);
    static final int MAX_CONNECTIONS = 512;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** What the server did since it started. */
    public static final class Counters {
        final AtomicLong relayed = new AtomicLong();
        final AtomicLong denied = new AtomicLong();
        final AtomicLong unreachable = new AtomicLong();
        final AtomicLong dnsQueries = new AtomicLong();
        final AtomicLong badRequests = new AtomicLong();

        /** {@return TCP connections opened and spliced} */
        public long relayed() {
            return relayed.get();
        }

        /** {@return TCP connections refused by the policy} */
        public long denied() {
            return denied.get();
        }

        /** {@return allowed connections whose destination could not be reached} */
        public long unreachable() {
            return unreachable.get();
        }

        /** {@return DNS queries passed to the interceptor (UDP from the relay, and TCP port-53 connections)} */
        public long dnsQueries() {
            return dnsQueries.get();
        }

        /** {@return frames that broke the protocol} */
        public long badRequests() {
            return badRequests.get();
        }
    }

    private final String sandbox;
    private final Path socket;
    private final RelayDecisions decisions;
    private final InetSocketAddress interceptor;
    private final Counters counters = new Counters();
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private ServerSocketChannel server;
    private Thread acceptor;

    /**
     * A server that is not listening yet; see {@link #start()}.
     *
     * @param sandbox     the sandbox's name, for thread names and logs
     * @param socket      where to listen; its directory must exist and be private to this user
     * @param decisions   what the policy allows, and the addresses learned from DNS
     * @param interceptor the sandbox's DNS interceptor (UDP and TCP on the same port, on loopback)
     */
    public RelayServer(String sandbox, Path socket, RelayDecisions decisions, InetSocketAddress interceptor) {
        this.sandbox = sandbox;
        this.socket = socket;
        this.decisions = decisions;
        this.interceptor = interceptor;
    }

    /**
     * Listens on the socket (replacing a file already there) and accepts connections on a daemon thread.
     *
     * @return this server
     * @throws dev.sandbox4j.SandboxStartException if the socket cannot be bound
     */
    public RelayServer start() {
        try {
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket), 128);
        } catch (IOException | UnsupportedOperationException e) {
            throw new SandboxStartException("could not listen on the egress relay socket " + socket + ": "
                    + e.getMessage() + " (unix domain sockets need Java 16+; the path must be under 104 bytes)", e);
        }
        acceptor = new Thread(this::accept, "sandbox4j-relay-" + sandbox);
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.debug("egress relay of {} listening on {}", sandbox, socket);
        return this;
    }

    /** {@return the unix socket the server listens on} */
    public Path socket() {
        return socket;
    }

    /** {@return what the server did since it started; live counters} */
    public Counters counters() {
        return counters;
    }

    private void accept() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("egress relay of {} stopped accepting: {}", sandbox, e.toString());
                }
                return;
            }
            if (!slots.tryAcquire()) {
                try (ch) {
                    RelayProtocol.writeReply(ChannelStreams.out(ch), RelayProtocol.FAILED, "too many connections");
                } catch (IOException e) {
                    LOG.debug("could not refuse a relay connection: {}", e.toString());
                }
                continue;
            }
            open.add(ch);
            Thread t = new Thread(() -> {
                try {
                    serve(ch);
                } finally {
                    open.remove(ch);
                    closeQuietly(ch);
                    slots.release();
                }
            }, "sandbox4j-relay-" + sandbox + "-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel ch) {
        InputStream in = ChannelStreams.in(ch);
        OutputStream out = ChannelStreams.out(ch);
        RelayProtocol.Request request;
        try {
            request = readWithin(ch, in);
        } catch (RelayProtocol.ProtocolException e) {
            counters.badRequests.incrementAndGet();
            LOG.debug("egress relay of {}: bad request: {}", sandbox, e.getMessage());
            try {
                RelayProtocol.writeReply(out, RelayProtocol.BAD_REQUEST, e.getMessage());
            } catch (IOException ignored) {
                // the peer is gone; nothing to tell
            }
            return;
        } catch (IOException e) {
            return;
        }
        try {
            if (request instanceof RelayProtocol.Hello) {
                RelayProtocol.writeReply(out, RelayProtocol.OK, "sandbox4j egress relay");
            } else if (request instanceof RelayProtocol.Dns dns) {
                answerDns(dns.message(), out);
            } else {
                connect(((RelayProtocol.Connect) request).destination(), ch, in, out);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("egress relay of {}: {}", sandbox, e.toString());
            }
        }
    }

    /** A request must arrive promptly; a client that never sends one would hold a slot forever. */
    private RelayProtocol.Request readWithin(SocketChannel ch, InputStream in) throws IOException {
        Thread reader = Thread.currentThread();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(REQUEST_TIMEOUT.toMillis());
                closeQuietly(ch);
            } catch (InterruptedException done) {
                // the request arrived in time
            }
        }, "sandbox4j-relay-" + sandbox + "-timeout");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            return RelayProtocol.readRequest(in);
        } catch (AsynchronousCloseException e) {
            throw new IOException("no request within " + REQUEST_TIMEOUT.toSeconds() + " s from " + reader, e);
        } finally {
            watchdog.interrupt();
        }
    }

    private void answerDns(byte[] query, OutputStream out) throws IOException {
        counters.dnsQueries.incrementAndGet();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(interceptor.getAddress(), 0))) {
            open.add(udp);
            try {
                udp.connect(interceptor);
                udp.setSoTimeout((int) DNS_TIMEOUT.toMillis());
                udp.send(new DatagramPacket(query, query.length));
                byte[] buf = new byte[65535];
                DatagramPacket answer = new DatagramPacket(buf, buf.length);
                udp.receive(answer);
                RelayProtocol.writeReply(out, RelayProtocol.OK, Arrays.copyOf(buf, answer.getLength()));
            } catch (SocketTimeoutException e) {
                RelayProtocol.writeReply(out, RelayProtocol.FAILED, "the DNS interceptor did not answer");
            } finally {
                open.remove(udp);
            }
        }
    }

    private void connect(InetSocketAddress to, SocketChannel ch, InputStream in, OutputStream out)
            throws IOException {
        InetSocketAddress target;
        if (to.getPort() == 53) {
            counters.dnsQueries.incrementAndGet();
            target = interceptor;  // DNS over TCP, to any address, is answered by the interceptor
        } else {
            RelayDecisions.Verdict v = decisions.decide(to.getAddress(), to.getPort());
            if (!v.allowed()) {
                counters.denied.incrementAndGet();
                LOG.debug("egress relay of {}: denied {}", sandbox, v.reason());
                RelayProtocol.writeReply(out, RelayProtocol.DENIED, v.reason());
                return;
            }
            target = to;
        }
        Socket remote = new Socket();
        open.add(remote);
        try {
            try {
                remote.connect(target, (int) CONNECT_TIMEOUT.toMillis());
            } catch (IOException e) {
                counters.unreachable.incrementAndGet();
                RelayProtocol.writeReply(out, RelayProtocol.FAILED, "cannot reach " + to + ": " + e.getMessage());
                return;
            }
            counters.relayed.incrementAndGet();
            RelayProtocol.writeReply(out, RelayProtocol.OK, new byte[0]);
            splice(ch, in, out, remote);
        } finally {
            open.remove(remote);
            closeQuietly(remote);
        }
    }

    /** Copies both ways until both directions ended, passing each half-close on. */
    private void splice(SocketChannel ch, InputStream in, OutputStream out, Socket remote) throws IOException {
        Thread up = new Thread(() -> {
            try {
                in.transferTo(remote.getOutputStream());
                remote.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(remote);
            }
        }, "sandbox4j-relay-" + sandbox + "-up");
        up.setDaemon(true);
        up.start();
        try {
            remote.getInputStream().transferTo(out);
            ch.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(ch);
        }
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.trace("close: {}", e.toString());
        }
    }

    /** Stops accepting, ends every relayed connection and removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            closeQuietly(server);
        }
        for (AutoCloseable c : open) {
            closeQuietly(c);
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("could not remove the egress relay socket {}", socket, e);
        }
    }
}
