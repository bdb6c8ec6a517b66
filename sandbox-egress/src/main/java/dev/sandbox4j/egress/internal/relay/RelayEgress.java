package dev.sandbox4j.egress.internal.relay;

import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.internal.HostAddressSource;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.egress.internal.dns.DnsInterceptorConfig;
import dev.sandbox4j.egress.internal.dns.HostResolvers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress control for a sandbox that has no network interface, only a relay: the sandbox's DNS interceptor
 * (on loopback, reused as is), the table of learned addresses ({@link RelayDecisions}, fed by the interceptor
 * before each answer is released) and the unix-socket server ({@link RelayServer}) the guest relay talks to.
 * Everything runs in this JVM, as the user the JVM runs as: no root, no firewall on the host.
 *
 * <p>Fail closed: the sandbox's only way out is this socket; closing this (or this JVM dying) leaves it with no
 * network at all.
 */
public final class RelayEgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayEgress.class);
    /** Learned addresses stay usable this long beyond their DNS TTL, as on Linux. */
    public static final Duration GRACE = Duration.ofSeconds(120);
    private static final Duration GATE = Duration.ofSeconds(2);
    /** macOS limits a unix socket path to 104 bytes (sun_path), Linux to 108. */
    private static final int MAX_SOCKET_PATH = 100;
    static final String DIR_PREFIX = "sb4j-relay-";
    static final String SOCKET = "relay.sock";

    private final String sandbox;
    private final EgressRecorder recorder;
    private Path directory;
    private DnsInterceptor interceptor;
    private RelayServer server;
    private RelayDecisions decisions;
    private long reportedDenied;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private RelayEgress(String sandbox, EgressRecorder recorder) {
        this.sandbox = sandbox;
        this.recorder = recorder;
    }

    /**
     * Starts the interceptor and the relay socket for one sandbox; on failure everything made is removed.
     *
     * @param policy       the sandbox's egress policy
     * @param sandbox      the sandbox's name
     * @param recorder     where the sandbox's egress events go
     * @param socketParent where the private socket directory is made; {@code null} for the system temp directory
     * @return the running relay egress; close it after the sandbox is removed
     */
    public static RelayEgress start(EgressPolicy policy, String sandbox, EgressRecorder recorder,
                                    Path socketParent) {
        RelayEgress e = new RelayEgress(sandbox, recorder);
        try {
            e.setUp(policy, socketParent);
            return e;
        } catch (RuntimeException | Error ex) {
            try {
                e.close();
            } catch (RuntimeException suppressed) {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    private void setUp(EgressPolicy policy, Path socketParent) {
        directory = privateDirectory(socketParent);
        HostAddressSource host = HostAddressSource.of(HostAddressSource.localInterfaces());
        decisions = new RelayDecisions(policy, host, Clock.systemUTC(), GRACE);
        interceptor = new DnsInterceptor(DnsInterceptorConfig.builder(policy)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstreams(HostResolvers.forPolicy(policy))
                .recorder(recorder)
                .sink(decisions::learn)
                .gateTimeout(GATE)
                .hostAddresses(host)
                .build());
        interceptor.start();
        server = new RelayServer(sandbox, directory.resolve(SOCKET), decisions, interceptor.address()).start();
    }

    /**
     * A new directory only this user can enter, named {@code sb4j-relay-<owner pid>-<random>} so that the
     * directories of JVMs that died without closing can be told apart and removed ({@link #removeStale}).
     */
    private Path privateDirectory(Path parent) {
        String prefix = DIR_PREFIX + ProcessHandle.current().pid() + "-";
        try {
            Path base = parent == null ? Path.of(System.getProperty("java.io.tmpdir")) : parent;
            removeStale(base);
            Path dir = Files.createTempDirectory(base, prefix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (dir.resolve(SOCKET).toString().length() > MAX_SOCKET_PATH) {
                Files.delete(dir);
                dir = Files.createTempDirectory(Path.of("/tmp"), prefix,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return dir;
        } catch (IOException e) {
            throw new SandboxStartException("could not make the private directory for the egress relay socket of "
                    + sandbox + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes relay directories under {@code base} whose owner process is gone (a JVM killed before it closed
     * its sandboxes); returns how many. Only the socket file and the directory itself are removed, and only
     * directories this user owns.
     */
    static int removeStale(Path base) {
        int removed = 0;
        try (java.util.stream.Stream<Path> dirs = Files.list(base)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(DIR_PREFIX) || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String[] parts = name.substring(DIR_PREFIX.length()).split("-", 2);
                if (parts.length != 2 || parts[0].isEmpty() || !parts[0].chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(parts[0]);
                boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (alive) {
                    continue;
                }
                try {
                    Files.deleteIfExists(dir.resolve(SOCKET));
                    Files.deleteIfExists(dir);
                    removed++;
                } catch (IOException e) {
                    LOG.debug("could not remove stale relay directory {}: {}", dir, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.debug("could not list {} for stale relay directories: {}", base, e.toString());
        }
        return removed;
    }

    /** {@return the socket the guest relay connects to (bind it into the sandbox)} */
    public Path socket() {
        return server.socket();
    }

    /** {@return where the sandbox's DNS interceptor listens, on loopback} */
    public InetSocketAddress interceptorAddress() {
        return interceptor.address();
    }

    /** {@return the relay server's counters, updated live} */
    public RelayServer.Counters counters() {
        return server.counters();
    }

    /** {@return the connection decisions, with the addresses learned so far} */
    public RelayDecisions decisions() {
        return decisions;
    }

    /** {@return the audit trail; reading it also records relay denials since the last read, as on Linux} */
    public EgressLog log() {
        return new EgressLog() {
            @Override
            public List<EgressEvent> events() {
                pollDenied();
                return recorder.events();
            }

            @Override
            public AutoCloseable subscribe(Consumer<EgressEvent> listener) {
                return recorder.subscribe(listener);
            }
        };
    }

    /** Records connections the relay refused since the last look, as a {@code tcp} drop count. */
    public synchronized void pollDenied() {
        if (server == null) {
            return;
        }
        long denied = server.counters().denied();
        if (denied != reportedDenied) {
            recorder.record(new EgressEvent.DroppedConnections(Instant.now(), "tcp", denied - reportedDenied, 0));
            reportedDenied = denied;
        }
    }

    /** Ends every relayed connection, stops the interceptor, removes the socket. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        if (server != null) {
            pollDenied();
            try {
                server.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (interceptor != null) {
            try {
                interceptor.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (directory != null) {
            try {
                Files.deleteIfExists(directory.resolve(SOCKET));
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                LOG.warn("could not remove the egress relay directory {}", directory, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
