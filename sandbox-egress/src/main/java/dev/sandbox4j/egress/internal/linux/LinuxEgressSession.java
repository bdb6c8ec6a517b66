package dev.sandbox4j.egress.internal.linux;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.EgressRule;
import dev.sandbox4j.egress.internal.HostAddressSource;
import dev.sandbox4j.egress.internal.audit.AuditFile;
import dev.sandbox4j.egress.internal.audit.JsonLinesAuditWriter;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.egress.internal.dns.DnsInterceptorConfig;
import dev.sandbox4j.egress.internal.dns.HostResolvers;
import dev.sandbox4j.egress.internal.nft.NftAddressSink;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import dev.sandbox4j.egress.internal.nft.NftShell;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RuntimeBackend;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress enforcement for one Podman sandbox on Linux. Made before the container exists, in this order, each step
 * undone if a later one fails: a network of its own (no runtime DNS on it), the DNS interceptor, the nftables
 * table keyed on the network's bridge. The container then joins that network with the gateway as its only DNS
 * server and without NET_ADMIN/NET_RAW. Closed after the container is gone, in reverse order.
 *
 * <p>Fail closed: the rules exist before the container starts, deny by default, and outlive the interceptor; if
 * the interceptor dies, DNS stops and no new address is learned; if this JVM dies, learned addresses expire with
 * their TTL and nothing renews them.
 */
final class LinuxEgressSession implements EgressSession {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxEgressSession.class);
    private static final Duration CLI = Duration.ofSeconds(30);
    private static final Duration GATE = Duration.ofSeconds(2);
    /** Learned addresses stay usable this long beyond their DNS TTL, so a connection outlives a short TTL. */
    static final Duration GRACE = Duration.ofSeconds(120);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    /** Link-local, denied by every policy, never routed off the link: the self-test's forbidden destination. */
    static final String PROBE_ADDRESS = "169.254.0.9";
    private static final Duration SELF_TEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern COUNTER = Pattern.compile("counter (\\w+) \\{\\s*packets (\\d+) bytes (\\d+)");

    private final String sandbox;
    private final RuntimeBackend backend;
    private final NftShell nft;
    private final EgressRecorder recorder;
    private final AtomicBoolean closed = new AtomicBoolean();
    private NetworkInfo network;
    private boolean networkRequested;
    private DnsInterceptor interceptor;
    private NftRuleset ruleset;
    private volatile NftAddressSink sink;
    private JsonLinesAuditWriter auditFile;
    private volatile long reportedDrops;

    private LinuxEgressSession(String sandbox, RuntimeBackend backend, NftShell nft) {
        this.sandbox = sandbox;
        this.backend = backend;
        this.nft = nft;
        this.recorder = new EgressRecorder(sandbox);
    }

    static LinuxEgressSession open(EgressPolicy policy, RuntimeBackend backend, String sandbox,
                                   Map<String, String> labels, NftShell nft) {
        LinuxEgressSession session = new LinuxEgressSession(sandbox, backend, nft);
        try {
            session.setUp(policy, labels);
            return session;
        } catch (RuntimeException | Error e) {
            boolean interrupted = Thread.interrupted();  // cleanup must run its commands even when interrupted
            try {
                session.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            throw e;
        }
    }

    private void setUp(EgressPolicy policy, Map<String, String> labels) {
        networkRequested = true;
        auditFile = AuditFile.attach(recorder, sandbox).orElse(null);
        network = backend.createNetwork(sandbox, labels, CLI);
        InetAddress gateway = address(network.gateway());
        List<Cidr> hostAddresses = hostAddresses(network);
        interceptor = new DnsInterceptor(DnsInterceptorConfig.builder(policy)
                .bind(new InetSocketAddress(anyLocal(), 0))
                .upstreams(HostResolvers.forPolicy(policy))
                .recorder(recorder)
                .sink(learned -> sink.allow(learned))
                .gateTimeout(GATE)
                .hostAddresses(HostAddressSource.of(hostAddresses))
                .build());
        interceptor.start();
        int port = interceptor.address().getPort();
        ruleset = new NftRuleset(NftRuleset.TABLE_PREFIX + sandbox.replaceAll("[^a-z0-9]", "_"),
                network.interfaceName(), gateway, port, cidrRules(policy), policy.defaultAllows());
        sink = new NftAddressSink(ruleset, nft, GRACE, GATE);
        nft.applyScript(ruleset.create(), CLI);
        LOG.debug("egress for {}: network {} on {}, interceptor on port {}, table {}", sandbox, network.name(),
                network.interfaceName(), port, ruleset.table());
    }

    private static InetAddress anyLocal() {
        try {
            return InetAddress.getByName("0.0.0.0");
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<NftRuleset.CidrRule> cidrRules(EgressPolicy policy) {
        List<NftRuleset.CidrRule> out = new ArrayList<>();
        for (EgressRule rule : policy.rules()) {
            if (rule instanceof EgressRule.CidrRule c) {
                out.add(new NftRuleset.CidrRule(c.action() == EgressRule.Action.ALLOW, c.cidr().toString(),
                        c.cidr().network() instanceof Inet6Address, c.ports()));
            }
        }
        return out;
    }

    /** The host's own addresses and this sandbox network: never a valid answer for a sandbox. */
    private static List<Cidr> hostAddresses(NetworkInfo network) {
        List<Cidr> out = new ArrayList<>();
        if (!network.subnet().isEmpty()) {
            out.add(Cidr.parse(network.subnet()));
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    String ip = a.getHostAddress();
                    int zone = ip.indexOf('%');
                    out.add(Cidr.parse((zone >= 0 ? ip.substring(0, zone) : ip)
                            + (a instanceof Inet6Address ? "/128" : "/32")));
                }
            }
        } catch (SocketException e) {
            LOG.warn("could not list the host's addresses; only the built-in deny classes apply", e);
        }
        return out;
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new SandboxStartException("podman reported a gateway that is not an address: " + ip, e);
        }
    }

    @Override
    public Optional<String> network() {
        return Optional.of(network.name());
    }

    @Override
    public List<String> dns() {
        return List.of(network.gateway());
    }

    @Override
    public List<String> capDrop() {
        return List.of("NET_ADMIN", "NET_RAW");
    }

    /**
     * The start-up self-test: from inside the sandbox, a lookup of a random name must reach this sandbox's
     * interceptor, and a connection to a link-local address outside every policy must fail and be counted by
     * this sandbox's rules. Either failing refuses the start. Needs {@code nslookup} and {@code nc} in the image
     * (busybox has both); without them only the host-side setup is trusted, and that is logged. Switched off
     * with the system property {@code sandbox4j.egress.selfTest=false}.
     */
    @Override
    public void attached(ContainerInfo container, RuntimeBackend backend) {
        attached(container, backend, exec -> backend.exec(container.id(), exec, ExecListener.NONE));
    }

    @Override
    public void attached(ContainerInfo container, RuntimeBackend backend, Function<Exec, ExecResult> exec) {
        if (!Boolean.parseBoolean(System.getProperty("sandbox4j.egress.selfTest", "true"))) {
            return;
        }
        String probe = "sb4j-selftest-" + Long.toHexString(RANDOM.nextLong()) + ".invalid";
        long dropsBefore = dropCount();
        ExecResult r = exec.apply(Exec.builder("/bin/sh", "-c",
                "command -v nslookup >/dev/null 2>&1 && command -v nc >/dev/null 2>&1 || { echo missing; exit 0; }; "
                        + "nslookup " + probe + " >/dev/null 2>&1; "
                        + "nc -w 2 " + PROBE_ADDRESS + " 9 </dev/null >/dev/null 2>&1; echo tcp=$?")
                .timeout(SELF_TEST_TIMEOUT).build());
        String out = r.stdout().strip();
        if (out.equals("missing") || r.exitCode() == 127) {
            LOG.info("egress self-test of {} skipped: the image has no nslookup or nc; the host-side rules were "
                    + "installed before the container started", sandbox);
            return;
        }
        boolean dnsSeen = recorder.events().stream().anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                && d.qname().startsWith(probe));
        if (!dnsSeen) {
            throw new SandboxStartException("egress self-test of " + sandbox + " failed: a DNS query from inside "
                    + "did not reach its interceptor (" + out + r.stderr().strip() + ")");
        }
        if (out.endsWith("tcp=0")) {
            throw new SandboxStartException("egress self-test of " + sandbox + " failed: a connection to "
                    + PROBE_ADDRESS + ", outside every policy, succeeded");
        }
        if (dropCount() <= dropsBefore) {
            throw new SandboxStartException("egress self-test of " + sandbox + " failed: the probe connection to "
                    + PROBE_ADDRESS + " was not stopped by the sandbox's own rules");
        }
        LOG.debug("egress self-test of {} passed", sandbox);
    }

    private long dropCount() {
        return counters()[0];
    }

    /** Dropped packets and bytes, summed over this sandbox's counters. */
    private long[] counters() {
        String out = nft.query(List.of("list", "counters", "table", "inet", ruleset.table()), CLI);
        Matcher m = COUNTER.matcher(out);
        long[] sum = new long[2];
        while (m.find()) {
            sum[0] += Long.parseLong(m.group(2));
            sum[1] += Long.parseLong(m.group(3));
        }
        return sum;
    }

    @Override
    public EgressLog log() {
        return new EgressLog() {
            @Override
            public List<EgressEvent> events() {
                pollCounters();
                return recorder.events();
            }

            @Override
            public AutoCloseable subscribe(Consumer<EgressEvent> listener) {
                return recorder.subscribe(listener);
            }
        };
    }

    /** Reads the drop counters and records how many connections were dropped since the last look. */
    void pollCounters() {
        if (closed.get() || ruleset == null) {
            return;
        }
        try {
            long[] dropped = counters();
            if (dropped[0] != reportedDrops) {
                reportedDrops = dropped[0];
                recorder.record(new EgressEvent.DroppedConnections(Instant.now(), "dropped", dropped[0], dropped[1]));
            }
        } catch (SandboxException e) {
            LOG.debug("could not read drop counters of {}: {}", sandbox, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        if (interceptor != null) {
            try {
                interceptor.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (ruleset != null) {
            try {
                nft.applyScript(ruleset.delete(), CLI);
            } catch (RuntimeException e) {
                if (e.getMessage() == null || !e.getMessage().contains("No such file or directory")) {
                    failure = add(failure, e);  // a table already gone (say, reaped) is not a failure
                }
            }
        }
        if (network != null || networkRequested) {
            try {
                // by name: a create that was interrupted or timed out may have made the network anyway
                backend.removeNetwork(sandbox, CLI);
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        if (auditFile != null) {
            try {
                auditFile.close();
            } catch (java.io.IOException e) {
                LOG.warn("could not close the egress audit file of {}", sandbox, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
