package dev.sandbox4j.egress.internal.macos;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.EgressRule;
import dev.sandbox4j.egress.internal.HostAddressSource;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.egress.internal.dns.DnsInterceptorConfig;
import dev.sandbox4j.egress.internal.dns.HostResolvers;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RuntimeBackend;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress enforcement for one Apple {@code container} sandbox on macOS. Made before the container exists, in this
 * order, each step undone if a later one fails: a network of its own (so its subnet is known and belongs to this
 * sandbox alone), the DNS interceptor on 127.0.0.1, a pf enable reference ({@code pfctl -E}), and the sandbox's pf
 * anchor ({@link PfRuleset}), read back to check it is in force. The container then joins that network with the
 * gateway as its only DNS server (every port-53 packet from the subnet is redirected to the interceptor anyway)
 * and without NET_ADMIN/NET_RAW. Closed after the container is gone, in reverse order.
 *
 * <p>Fail closed. The anchor is read back after the container starts (vmnet or {@code container} may reload pf
 * when a network comes up) and the start is refused if any rule is missing; while the sandbox runs it is read
 * back every {@link Settings#healthInterval()} and before a DNS answer is released (at most once per
 * {@link Settings#verifyMaxAge()}), and a missing rule, a missing {@code com.apple/*} anchor point or a disabled pf
 * removes the container and withholds every further answer. Nothing is re-asserted: rules that vanished leave a
 * window that cannot be audited, so the sandbox is stopped instead. pf tables have no per-entry timeout: learned
 * addresses are removed by this session at TTL + {@link #GRACE}; if this JVM dies they stay until the anchor is
 * flushed (the {@code container} network, and with it the sandbox, is gone by then in practice).
 */
final class MacEgressSession implements EgressSession {
    private static final Logger LOG = LoggerFactory.getLogger(MacEgressSession.class);
    private static final Duration CLI = Duration.ofSeconds(30);
    /** Learned addresses stay usable this long beyond their DNS TTL, so a connection outlives a short TTL. */
    static final Duration GRACE = Duration.ofSeconds(120);

    /**
     * Timing of one session.
     *
     * @param clock          time source for expiries
     * @param expiryTick     how often due table entries are removed
     * @param healthInterval how often the anchor is read back while the sandbox runs
     * @param verifyMaxAge   a DNS answer triggers a read-back when the last one is older than this
     * @param gateTimeout    how long a DNS answer may wait for its addresses to be programmed
     */
    record Settings(Clock clock, Duration expiryTick, Duration healthInterval, Duration verifyMaxAge,
                    Duration gateTimeout) {
        static final Settings DEFAULT = new Settings(Clock.systemUTC(), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    private final String sandbox;
    private final RuntimeBackend backend;
    private final Pfctl pf;
    private final Settings settings;
    private final EgressRecorder recorder;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock tableLock = new ReentrantLock();
    private final LearnedExpiry expiry = new LearnedExpiry();
    private NetworkInfo network;
    private DnsInterceptor interceptor;
    private PfRuleset ruleset;
    private String token;
    private boolean loaded;
    private ScheduledExecutorService scheduler;
    private volatile Instant verifiedAt = Instant.MIN;
    private volatile String failure;
    private volatile ContainerInfo container;

    private MacEgressSession(String sandbox, RuntimeBackend backend, Pfctl pf, Settings settings) {
        this.sandbox = sandbox;
        this.backend = backend;
        this.pf = pf;
        this.settings = settings;
        this.recorder = new EgressRecorder(sandbox);
    }

    static MacEgressSession open(EgressPolicy policy, RuntimeBackend backend, String sandbox,
                                 Map<String, String> labels, Pfctl pf, Settings settings) {
        MacEgressSession session = new MacEgressSession(sandbox, backend, pf, settings);
        try {
            session.setUp(policy, labels);
            return session;
        } catch (RuntimeException | Error e) {
            try {
                session.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The anchor's key: the sandbox name, lowercase, anything outside {@code [a-z0-9_.-]} replaced. */
    static String key(String sandbox) {
        String k = sandbox.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "_");
        if (k.isEmpty() || !Character.isLetterOrDigit(k.charAt(0))) {
            k = "s" + k;
        }
        return k.length() > 63 ? k.substring(0, 63) : k;
    }

    private void setUp(EgressPolicy policy, Map<String, String> labels) {
        network = backend.createNetwork(sandbox, labels, CLI);
        Cidr subnet = subnet(network);
        Optional<Cidr> subnet6 = network.ipv6Subnet().isEmpty() ? Optional.empty()
                : Optional.of(Cidr.parse(network.ipv6Subnet()));
        InetAddress gateway = gateway(network, subnet);
        interceptor = new DnsInterceptor(DnsInterceptorConfig.builder(policy)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .upstreams(HostResolvers.forPolicy(policy))
                .recorder(recorder)
                .sink(this::learn)
                .gateTimeout(settings.gateTimeout())
                .hostAddresses(HostAddressSource.of(hostAddresses(subnet, subnet6)))
                .build());
        interceptor.start();
        int port = interceptor.address().getPort();
        ruleset = new PfRuleset(key(sandbox), subnet, subnet6, gateway, port, cidrRules(policy), namedPorts(policy));
        token = PfRuleset.token(pf.require(PfRuleset.enableArgs(pf.path()), CLI, "enabling pf"))
                .orElseThrow(() -> new SandboxStartException("`pfctl -E` printed no reference token, so pf could "
                        + "not be enabled with a reference; refusing to start sandbox " + sandbox + " unpoliced"));
        loaded = true;
        pf.require(ruleset.loadArgs(pf.path()), ruleset.text(), CLI, "loading anchor " + ruleset.anchor());
        requireIntact("after loading it");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox4j-pf-" + key(sandbox));
            t.setDaemon(true);
            return t;
        });
        long tick = settings.expiryTick().toMillis();
        scheduler.scheduleWithFixedDelay(this::expireQuietly, tick, tick, TimeUnit.MILLISECONDS);
        LOG.debug("egress for {}: network {} ({}, gateway {}), interceptor on 127.0.0.1:{}, pf anchor {}", sandbox,
                network.name(), subnet, gateway.getHostAddress(), port, ruleset.anchor());
    }

    private Cidr subnet(NetworkInfo n) {
        if (n.subnet().isEmpty() || n.gateway().isEmpty()) {
            throw new SandboxStartException("`container network inspect " + n.name() + "` reported no IPv4 subnet or "
                    + "gateway, so pf rules cannot be keyed on it; refusing to start sandbox " + sandbox
                    + " unpoliced (networks need macOS 26; check `container network list`)");
        }
        try {
            return Cidr.parse(n.subnet());
        } catch (RuntimeException e) {
            throw new SandboxStartException("container reported a subnet that is not a CIDR: " + n.subnet(), e);
        }
    }

    private static InetAddress gateway(NetworkInfo n, Cidr subnet) {
        try {
            InetAddress g = InetAddress.getByName(n.gateway());
            if (!n.gateway().matches("[0-9.]+") || !subnet.contains(g)) {
                throw new SandboxStartException("container reported gateway " + n.gateway() + " outside " + subnet);
            }
            return g;
        } catch (java.net.UnknownHostException e) {
            throw new SandboxStartException("container reported a gateway that is not an address: " + n.gateway(), e);
        }
    }

    private static List<PfRuleset.CidrRule> cidrRules(EgressPolicy policy) {
        List<PfRuleset.CidrRule> out = new ArrayList<>();
        for (EgressRule rule : policy.rules()) {
            if (rule instanceof EgressRule.CidrRule c) {
                out.add(new PfRuleset.CidrRule(c.action() == EgressRule.Action.ALLOW, c.cidr(), c.ports()));
            }
        }
        return out;
    }

    /**
     * Every port a rule names: the ports a learned address's {@code AllowedPorts} can list (the interceptor folds
     * host rules and, for an answer address, the CIDR rules covering it).
     */
    private static Set<Integer> namedPorts(EgressPolicy policy) {
        Set<Integer> out = new TreeSet<>();
        for (EgressRule rule : policy.rules()) {
            if (rule instanceof EgressRule.HostRule h) {
                out.addAll(h.ports());
            } else if (rule instanceof EgressRule.CidrRule c) {
                out.addAll(c.ports());
            }
        }
        return out;
    }

    /** The host's own addresses and this sandbox network: never a valid answer for a sandbox. */
    private static List<Cidr> hostAddresses(Cidr subnet, Optional<Cidr> subnet6) {
        List<Cidr> out = new ArrayList<>();
        out.add(subnet);
        subnet6.ifPresent(out::add);
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    out.add(Cidr.parse(PfRuleset.literal(a) + (a instanceof Inet6Address ? "/128" : "/32")));
                }
            }
        } catch (SocketException e) {
            LOG.warn("could not list the host's addresses; only the built-in deny classes apply", e);
        }
        return out;
    }

    /** Why the anchor is not in force, or empty when it is: pf enabled, anchor points present, every label loaded. */
    Optional<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!PfRuleset.enabled(pf.require(PfRuleset.infoArgs(pf.path()), CLI, "reading pf status"))) {
            problems.add("pf is disabled");
        }
        if (!PfRuleset.evaluatesParent(pf.require(PfRuleset.mainRulesArgs(pf.path()), CLI, "listing main rules"),
                "anchor")) {
            problems.add("the main ruleset no longer evaluates anchor \"" + PfRuleset.PARENT + "/*\"");
        }
        if (!PfRuleset.evaluatesParent(pf.require(PfRuleset.mainNatArgs(pf.path()), CLI, "listing main rdr rules"),
                "rdr-anchor")) {
            problems.add("the main ruleset no longer evaluates rdr-anchor \"" + PfRuleset.PARENT + "/*\"");
        }
        Set<String> missing = new java.util.LinkedHashSet<>();
        missing.addAll(PfRuleset.missingLabels(ruleset.natLabels(),
                pf.require(ruleset.showNatArgs(pf.path()), CLI, "listing anchor rdr rules")));
        missing.addAll(PfRuleset.missingLabels(ruleset.filterLabels(),
                pf.require(ruleset.showRulesArgs(pf.path()), CLI, "listing anchor rules")));
        if (!missing.isEmpty()) {
            problems.add("anchor " + ruleset.anchor() + " lacks rules " + missing);
        }
        if (problems.isEmpty()) {
            verifiedAt = settings.clock().instant();
            return Optional.empty();
        }
        return Optional.of(String.join("; ", problems));
    }

    private void requireIntact(String when) {
        Optional<String> p = problems();
        if (p.isPresent()) {
            throw new SandboxStartException("the pf rules of sandbox " + sandbox + " are not in force " + when + ": "
                    + p.get() + " (vmnet or another tool may have reloaded pf); refusing to run it unpoliced");
        }
    }

    /** Programs learned addresses before their answer is released; called by the interceptor. */
    private void learn(LearnedAddresses learned) {
        String f = failure;
        if (f != null || closed.get()) {
            throw new SandboxException("egress enforcement of " + sandbox + " has failed: " + (f == null ? "closed" : f));
        }
        if (learned.ports().isNone()) {
            return;
        }
        if (verifiedAt.plus(settings.verifyMaxAge()).isBefore(settings.clock().instant())) {
            Optional<String> p = problems();
            if (p.isPresent()) {
                fail(p.get());
                throw new SandboxException("pf rules of " + sandbox + " are not in force: " + p.get());
            }
        }
        Instant until = settings.clock().instant().plus(learned.ttl()).plus(GRACE);
        tableLock.lock();
        try {
            for (String table : ruleset.tablesFor(learned.ports())) {
                pf.require(ruleset.tableAddArgs(pf.path(), table, learned.addresses()), settings.gateTimeout(),
                        "adding learned addresses of " + learned.qname());
                for (InetAddress a : learned.addresses()) {
                    expiry.learned(table, a, until);
                }
            }
        } finally {
            tableLock.unlock();
        }
    }

    /** Removes table entries whose TTL + grace has passed; runs on the scheduler, and directly in tests. */
    void expireDue() {
        tableLock.lock();
        try {
            Instant now = settings.clock().instant();
            for (Map.Entry<String, List<InetAddress>> e : expiry.due(now).entrySet()) {
                try {
                    pf.require(ruleset.tableDeleteArgs(pf.path(), e.getKey(), e.getValue()), CLI,
                            "removing expired addresses");
                } catch (RuntimeException ex) {
                    e.getValue().forEach(a -> expiry.learned(e.getKey(), a, now));
                    throw ex;
                }
            }
        } finally {
            tableLock.unlock();
        }
    }

    private void expireQuietly() {
        try {
            if (!closed.get()) {
                expireDue();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not remove expired addresses of {}; will retry: {}", sandbox, e.getMessage());
        }
    }

    /** Reads the anchor back; stops the sandbox when it is not in force. Runs on the scheduler, and in tests. */
    void checkHealth() {
        if (closed.get() || failure != null) {
            return;
        }
        Optional<String> p;
        try {
            p = problems();
        } catch (RuntimeException e) {
            p = Optional.of("pfctl could not be read: " + e.getMessage());
        }
        p.ifPresent(this::fail);
    }

    private void fail(String why) {
        if (failure != null) {
            return;
        }
        failure = why;
        ContainerInfo c = container;
        LOG.warn("egress enforcement of {} is no longer in force ({}); removing the sandbox", sandbox, why);
        if (c != null) {
            try {
                backend.remove(c.id(), CLI);
            } catch (RuntimeException e) {
                LOG.warn("could not remove sandbox {} after its pf rules vanished", sandbox, e);
            }
        }
    }

    /** Why enforcement failed while the sandbox ran, if it did. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    String anchor() {
        return ruleset.anchor();
    }

    InetSocketAddress interceptorAddress() {
        return interceptor.address();
    }

    int learnedEntries() {
        tableLock.lock();
        try {
            return expiry.size();
        } finally {
            tableLock.unlock();
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

    @Override
    public void attached(ContainerInfo info, RuntimeBackend backend) {
        requireIntact("after the container started");
        this.container = info;
        long every = settings.healthInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::checkHealth, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public EgressLog log() {
        return recorder;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failed = null;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (interceptor != null) {
            try {
                interceptor.close();
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        if (ruleset != null && loaded) {
            for (List<String> argv : ruleset.flushArgs(pf.path())) {
                try {
                    pf.require(argv, CLI, "flushing anchor " + ruleset.anchor());
                } catch (RuntimeException e) {
                    failed = add(failed, e);
                }
            }
            try {
                pf.require(ruleset.killStatesArgs(pf.path()), CLI, "killing the sandbox's states");
            } catch (RuntimeException e) {
                failed = add(failed, e);
            }
        }
        if (token != null) {
            try {
                pf.require(PfRuleset.releaseArgs(pf.path(), token), CLI, "releasing the pf enable reference");
            } catch (RuntimeException e) {
                failed = add(failed, e);
            }
        }
        if (network != null) {
            try {
                backend.removeNetwork(network.name(), CLI);
            } catch (RuntimeException e) {
                failed = add(failed, e);
            }
        }
        if (failed != null) {
            throw failed;
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
