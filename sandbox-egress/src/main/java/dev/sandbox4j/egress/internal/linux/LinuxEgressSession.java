package dev.sandbox4j.egress.internal.linux;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.EgressRule;
import dev.sandbox4j.egress.internal.HostAddressSource;
import dev.sandbox4j.egress.internal.SelfTestProbe;
import dev.sandbox4j.egress.internal.audit.AuditFile;
import dev.sandbox4j.egress.internal.audit.JsonLinesAuditWriter;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.egress.internal.dns.DnsInterceptorConfig;
import dev.sandbox4j.egress.internal.dns.HostResolvers;
import dev.sandbox4j.egress.internal.nft.NftAddressSink;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import dev.sandbox4j.egress.internal.nft.NftShell;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.CreatedContainer;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RuntimeBackend;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress enforcement for one Podman sandbox on Linux, rootful or rootless, by one mechanism: a default-deny
 * nftables table inside the sandbox's own network namespace, loaded from outside the workload before its first
 * instruction, fed by one persistent {@code nft} process of its own.
 *
 * <p>Before the container exists ({@link #open}): rootful, a network of its own (no runtime DNS on it), the
 * container's DNS server being its gateway; rootless, slirp4netns with the host's loopback reachable at
 * {@value #SLIRP_HOST} and nothing else changed. Between {@code podman init} and {@code podman start}
 * ({@link #beforeStart}): the DNS interceptor (on the gateway, or rootless on 127.0.0.1), the table, loaded with
 * {@code nsenter --net=...} (rootless inside {@code podman unshare}), and the sandbox's updater. Then the workload
 * starts without NET_ADMIN/NET_RAW, so it cannot change the table.
 *
 * <p>Fail closed: the table denies by default and lives as long as the namespace, which outlives every process
 * of the workload; nothing outside the namespace (a host {@code nft flush ruleset}, a restart of the host's
 * nftables service) touches it. If the interceptor dies, DNS stops; if the updater dies or cannot be restarted,
 * nothing new is learned; if this JVM dies, learned addresses expire with their TTL and nothing renews them. A
 * health check (every {@link #healthPeriod()} and on every read of the egress log) compares the namespace's rules
 * (the fixed networks included: they are written into the rules) with what was loaded; if they are missing or changed, the sandbox is cut off (a drop-everything table, and no
 * more learning) and an {@link EgressEvent.EnforcementLost} is recorded and logged at WARN.
 */
final class LinuxEgressSession implements EgressSession {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxEgressSession.class);
    private static final Duration CLI = Duration.ofSeconds(30);
    private static final Duration GATE = Duration.ofSeconds(2);
    /** Learned addresses stay usable this long beyond their DNS TTL, so a connection outlives a short TTL. */
    static final Duration GRACE = Duration.ofSeconds(120);
    /** Link-local, denied by every policy, never routed off the link: the self-test's forbidden destination. */
    static final String PROBE_ADDRESS = SelfTestProbe.ADDRESS;
    /** The rootless network: slirp4netns, the host's loopback reachable from the sandbox at {@value #SLIRP_HOST}. */
    static final String SLIRP_NETWORK = "slirp4netns:allow_host_loopback=true";
    /** The host's loopback as a slirp4netns sandbox sees it. */
    static final String SLIRP_HOST = "10.0.2.2";
    /** The slirp4netns network, its gateway and its built-in DNS forwarder (10.0.2.3) included. */
    static final String SLIRP_SUBNET = "10.0.2.0/24";
    private static final Pattern COUNTER = Pattern.compile("counter (\\w+) \\{\\s*packets (\\d+) bytes (\\d+)");
    private static final Pattern COUNTER_VALUES = Pattern.compile("packets \\d+ bytes \\d+");
    private static final ScheduledExecutorService HEALTH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox4j-egress-health");
        t.setDaemon(true);
        return t;
    });

    private final String sandbox;
    private final RuntimeBackend backend;
    private final String nft;
    private final CommandRunner runner;
    private final EgressRecorder recorder;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean cutOff = new AtomicBoolean();
    private EgressPolicy policy;
    private List<NftRuleset.Inbound> inbound = List.of();
    private boolean rootless;
    private NetworkInfo network;
    private boolean networkRequested;
    private List<Cidr> hostNetworks = List.of();
    private DnsInterceptor interceptor;
    private volatile NftRuleset ruleset;
    private volatile NftShell shell;
    private volatile NftAddressSink sink;
    private volatile CreatedContainer container;
    private volatile String loadedShape;
    /** The drop counters as loaded: the self-test's probe must raise them. */
    private volatile long loadedDrops;
    private ScheduledFuture<?> health;
    private JsonLinesAuditWriter auditFile;
    private volatile long reportedDrops;

    private LinuxEgressSession(String sandbox, RuntimeBackend backend, String nft, CommandRunner runner) {
        this.sandbox = sandbox;
        this.backend = backend;
        this.nft = nft;
        this.runner = runner;
        this.recorder = new EgressRecorder(sandbox);
    }

    /**
     * Sets up what must exist before the container: the network (rootful) and the audit file.
     *
     * @param nft the absolute path of {@code nft}, run inside the sandbox's network namespace
     */
    static LinuxEgressSession open(SandboxSpec spec, RuntimeBackend backend, String sandbox,
                                   Map<String, String> labels, String nft, CommandRunner runner) {
        LinuxEgressSession session = new LinuxEgressSession(sandbox, backend, nft, runner);
        try {
            session.setUp(spec, labels);
            return session;
        } catch (RuntimeException | Error e) {
            session.closeAfterFailure(e);
            throw e;
        }
    }

    private void closeAfterFailure(Throwable e) {
        boolean interrupted = Thread.interrupted();  // cleanup must run its commands even when interrupted
        try {
            close();
        } catch (RuntimeException suppressed) {
            e.addSuppressed(suppressed);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void setUp(SandboxSpec spec, Map<String, String> labels) {
        policy = spec.egress();
        List<NftRuleset.Inbound> in = new ArrayList<>();
        for (PortMapping p : spec.ports()) {
            in.add(new NftRuleset.Inbound(p.protocol(), p.containerPort()));
        }
        inbound = List.copyOf(in);
        rootless = backend.rootless();
        auditFile = AuditFile.attach(recorder, sandbox).orElse(null);
        List<Cidr> hosts = new ArrayList<>();
        if (rootless) {
            hosts.add(Cidr.parse(SLIRP_SUBNET));
        } else {
            networkRequested = true;
            network = backend.createNetwork(sandbox, labels, CLI);
            address(network.gateway());
            hosts.add(Cidr.parse(network.gateway() + "/32"));
            if (!network.subnet().isEmpty()) {
                hosts.add(Cidr.parse(network.subnet()));
            }
        }
        hosts.addAll(HostAddressSource.localInterfaces());
        hostNetworks = List.copyOf(hosts);
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
        return Optional.of(rootless ? SLIRP_NETWORK : network.name());
    }

    @Override
    public List<String> dns() {
        return List.of(rootless ? SLIRP_HOST : network.gateway());
    }

    @Override
    public List<String> capDrop() {
        return List.of("NET_ADMIN", "NET_RAW");
    }

    @Override
    public boolean needsBeforeStart() {
        return true;
    }

    /**
     * The container exists with its network namespace; its workload has not run. Starts the interceptor, loads
     * the table into the namespace, starts the updater, and remembers what was loaded for the health check.
     */
    @Override
    public void beforeStart(CreatedContainer created, RuntimeBackend runtime) {
        container = created;
        InetAddress dnsTarget = address(rootless ? SLIRP_HOST : network.gateway());
        InetAddress bind = rootless ? InetAddress.getLoopbackAddress() : dnsTarget;
        interceptor = new DnsInterceptor(DnsInterceptorConfig.builder(policy)
                .bind(new InetSocketAddress(bind, 0))
                .upstreams(HostResolvers.forPolicy(policy))
                .recorder(recorder)
                .sink(learned -> sink.allow(learned))
                .gateTimeout(GATE)
                .enforcerGrace(GRACE)
                .hostAddresses(HostAddressSource.of(hostNetworks))
                .build());
        interceptor.start();
        int port = interceptor.address().getPort();
        List<String> command = new ArrayList<>(runtime.enterNetworkNamespace(created));
        command.add(nft);
        NftShell s = new NftShell(runner, command);
        shell = s;
        NftRuleset r = new NftRuleset(LinuxEgressProvider.tableOf(sandbox), dnsTarget, port, hostNetworks,
                cidrRules(policy), policy.defaultAllows(), inbound);
        s.applyScript(r.create(), CLI);
        ruleset = r;
        String loaded = listing();
        loadedShape = shape(loaded);
        loadedDrops = sum(loaded)[0];
        sink = new NftAddressSink(r, s, GRACE, GATE);
        s.start(CLI);
        long period = healthPeriod().toMillis();
        health = HEALTH.scheduleWithFixedDelay(this::checkQuietly, period, period, TimeUnit.MILLISECONDS);
        LOG.debug("egress for {} ({}): interceptor on {}:{}, table {} in {}, updater pid {}", sandbox,
                rootless ? "rootless" : "rootful", bind.getHostAddress(), port, r.table(), created.networkNamespace(),
                s.updaterPid().orElse(-1));
    }

    /** How often the health check runs: system property {@code sandbox4j.egress.healthCheckMillis}, 5 s. */
    static Duration healthPeriod() {
        return Duration.ofMillis(Long.getLong("sandbox4j.egress.healthCheckMillis", 5000));
    }

    static List<NftRuleset.CidrRule> cidrRules(EgressPolicy policy) {
        List<NftRuleset.CidrRule> out = new ArrayList<>();
        for (EgressRule rule : policy.rules()) {
            if (rule instanceof EgressRule.CidrRule c) {
                out.add(new NftRuleset.CidrRule(c.action() == EgressRule.Action.ALLOW, c.cidr().toString(),
                        c.cidr().network() instanceof Inet6Address, c.ports()));
            }
        }
        return out;
    }

    /**
     * The start-up self-test: from inside the sandbox, a lookup of a random name must reach this sandbox's
     * interceptor, and a connection to a link-local address outside every policy must fail and be counted by
     * this sandbox's rules. Either failing refuses the start. Needs {@code nslookup} and {@code nc} in the image
     * (busybox has both); without them only the setup from outside is trusted, and that is logged. Switched off
     * with the system property {@code sandbox4j.egress.selfTest=false}.
     */
    @Override
    public void attached(ContainerInfo info, RuntimeBackend runtime) {
        attached(info, runtime, exec -> runtime.exec(info.id(), exec, ExecListener.NONE));
    }

    @Override
    public void attached(ContainerInfo info, RuntimeBackend runtime, Function<Exec, ExecResult> exec) {
        if (!SelfTestProbe.enabled()) {
            return;
        }
        long dropsBefore = loadedDrops;
        Optional<String> out = SelfTestProbe.run(sandbox, exec, recorder, "its interceptor", "");
        if (out.isEmpty()) {
            LOG.info("egress self-test of {} skipped: the image has no nslookup or nc; the rules were loaded into "
                    + "its network namespace before the container started", sandbox);
            return;
        }
        if (out.get().endsWith("tcp=0")) {
            throw new SandboxStartException("egress self-test of " + sandbox + " failed: a connection to "
                    + PROBE_ADDRESS + ", outside every policy, succeeded");
        }
        if (counters()[0] <= dropsBefore) {
            throw new SandboxStartException("egress self-test of " + sandbox + " failed: the probe connection to "
                    + PROBE_ADDRESS + " was not stopped by the sandbox's own rules");
        }
        LOG.debug("egress self-test of {} passed", sandbox);
    }

    /** The namespace's whole ruleset without set elements ({@code nft -t list ruleset}). */
    private String listing() {
        return shell.query(List.of("-t", "list", "ruleset"), CLI);
    }

    /** A listing with counter values blanked: what must not change while the sandbox runs. */
    static String shape(String listing) {
        return COUNTER_VALUES.matcher(listing).replaceAll("packets - bytes -");
    }

    /** Dropped packets and bytes, summed over this sandbox's counters. */
    private long[] counters() {
        return sum(listing());
    }

    private static long[] sum(String listing) {
        Matcher m = COUNTER.matcher(listing);
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
                check();
                return recorder.events();
            }

            @Override
            public AutoCloseable subscribe(Consumer<EgressEvent> listener) {
                return recorder.subscribe(listener);
            }
        };
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("egress health check of {} failed", sandbox, e);
        }
    }

    /**
     * The health check: reads the namespace's rules once; if they differ from what was loaded, cuts the sandbox
     * off; else records how many connections were dropped since the last look. A namespace that cannot be
     * entered any more (the container stopped) has no network to police.
     */
    synchronized void check() {
        if (closed.get() || cutOff.get() || shell == null || loadedShape == null) {
            return;
        }
        String listing;
        try {
            listing = listing();
        } catch (SandboxException e) {
            LOG.debug("could not read the rules of {} (container stopped?): {}", sandbox, e.getMessage());
            return;
        }
        if (!shape(listing).equals(loadedShape)) {
            boolean gone = !listing.contains("table inet " + ruleset.table() + " {");
            cutOff(gone ? "the sandbox's firewall table was deleted from its network namespace"
                    : "the firewall rules in the sandbox's network namespace were changed from outside");
            return;
        }
        long[] dropped = sum(listing);
        if (dropped[0] != reportedDrops) {
            reportedDrops = dropped[0];
            recorder.record(new EgressEvent.DroppedConnections(Instant.now(), "dropped", dropped[0], dropped[1]));
        }
    }

    /** Fails the sandbox closed: no more learning, a drop-everything table, and a loud audit event. */
    private void cutOff(String reason) {
        if (!cutOff.compareAndSet(false, true)) {
            return;
        }
        sink.refuse(reason);
        String action;
        try {
            shell.applyScript(NftRuleset.cutOff(), CLI);
            action = "cut off: every packet into and out of the sandbox is dropped, and no address is learned";
        } catch (RuntimeException e) {
            LOG.warn("could not load the cut-off table into {}; removing its container", sandbox, e);
            try {
                backend.remove(container.id(), CLI);
                action = "container removed (the cut-off table could not be loaded: " + e.getMessage() + ")";
            } catch (RuntimeException removal) {
                action = "NOT cut off: neither a cut-off table nor the container's removal worked ("
                        + removal.getMessage() + "); remove sandbox " + sandbox + " by hand";
            }
        }
        recorder.record(new EgressEvent.EnforcementLost(Instant.now(), reason, action));
    }

    /**
     * Stops the health check, the interceptor and the updater, and removes the network (rootful). The table needs
     * no removal: it lives in the container's network namespace and goes with it, after the workload, even when
     * removing the container failed (then the workload keeps default deny, without DNS or new addresses).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        if (health != null) {
            health.cancel(false);
        }
        if (interceptor != null) {
            try {
                interceptor.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (sink != null) {
            sink.refuse("the sandbox was closed");
        }
        if (shell != null) {
            try {
                shell.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
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

    /** The sandbox's updater (for tests). */
    NftShell shell() {
        return shell;
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
