package dev.sandbox4j.egress.pod;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.internal.dns.DnsInterceptor;
import dev.sandbox4j.egress.internal.dns.DnsInterceptorConfig;
import dev.sandbox4j.egress.internal.dns.HostResolvers;
import dev.sandbox4j.egress.internal.linux.PodNamespaceRules;
import dev.sandbox4j.egress.internal.nft.NftAddressSink;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import dev.sandbox4j.egress.internal.nft.NftShell;
import dev.sandbox4j.spi.CommandRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The enforcer sidecar of a policed Kubernetes pod: the DNS interceptor on the pod's loopback, where the init
 * container's rules send every port-53 packet of the workload, and one persistent {@code nft --echo -i} updater in
 * the pod's namespace that puts the addresses of each allowed answer into the rules' learned sets before the answer
 * is released, and that renews the rules' heartbeat, without which learned addresses stop passing. Every audit
 * event goes to stdout as one JSON line ({@link #auditLine}: the event's {@link EgressEvent#toJsonLine(String)} with
 * one more field, {@value #SEQ_FIELD}, numbering the lines 1, 2, 3, ... in the order they are written); the
 * runtime follows this container's log and feeds the lines to the sandbox's egress log, and after its log stream
 * was cut it resumes from a time before the last line it read and drops every line whose number it has seen. Its
 * own messages go to stderr.
 *
 * <p>Settings come from the environment the pod manifest gives the container: {@value #ENV_POLICY} (the policy in
 * the text form of {@link EgressPolicy#parse}, upstreams included), {@value #ENV_DNS_PORT} (the interceptor's port
 * on 127.0.0.1, the one the rules redirect to), {@value #ENV_SANDBOX} (the sandbox name on every audit line), and
 * optionally {@value #ENV_NFT} (nft's path, default {@value #DEFAULT_NFT}). A policy without upstreams uses the
 * pod's resolv.conf servers on port 53.
 *
 * <p>The interceptor's own upstream queries leave the namespace only because the enforcer image preloads a socket
 * shim into this JVM that marks every IPv4/IPv6 socket with {@link PodNamespaceRules#UPSTREAM_MARK} (SO_MARK, which
 * needs CAP_NET_ADMIN: only the enforcer has it); the rules let exactly those packets to the upstreams skip the
 * redirect. The enforcer refuses to start without the shim in its process.
 *
 * <p>Fails closed: on any error at start it exits non-zero ({@value #EXIT_CONFIG} bad settings,
 * {@value #EXIT_UNAVAILABLE} anything else), and with it the pod's DNS stays unanswered and nothing is learned, so
 * only the policy's CIDR rules pass.
 */
public final class PodEnforcer implements AutoCloseable {
    /** The policy in its text form. */
    public static final String ENV_POLICY = "SANDBOX4J_EGRESS_POLICY";
    /** The interceptor's port on 127.0.0.1. */
    public static final String ENV_DNS_PORT = "SANDBOX4J_DNS_PORT";
    /** The sandbox name written on every audit line. */
    public static final String ENV_SANDBOX = "SANDBOX4J_SANDBOX";
    /** nft's path. */
    public static final String ENV_NFT = "SANDBOX4J_NFT";
    /** nft's path in the enforcer image. */
    public static final String DEFAULT_NFT = "/usr/sbin/nft";
    /** The field of an audit line that numbers it (from 1, one more per line, in the order the lines are written). */
    public static final String SEQ_FIELD = "seq";
    /** The name of the socket shim as it shows in /proc/self/maps. */
    public static final String MARK_SHIM = "sb4j-mark";
    /** Exit status for bad settings. */
    public static final int EXIT_CONFIG = 64;
    /** Exit status when the enforcer cannot run (no rules, no NET_ADMIN, no shim, no port). */
    public static final int EXIT_UNAVAILABLE = 69;
    /** Learned addresses stay usable this long beyond their TTL (as with the Podman sessions). */
    static final Duration GRACE = Duration.ofSeconds(120);
    private static final Duration GATE = Duration.ofSeconds(2);
    private static final Duration CLI = Duration.ofSeconds(30);
    private static final Duration COUNTERS = Duration.ofSeconds(5);
    /** How often the enforcer renews its heartbeat (a fifth of its timeout, so a busy moment does not cut it). */
    private static final Duration BEAT = PodNamespaceRules.HEARTBEAT_TIMEOUT.dividedBy(5);
    private static final Pattern COUNTER = Pattern.compile("counter (\\w+) \\{\\s*packets (\\d+) bytes (\\d+)");

    /**
     * What the enforcer runs with, read from its environment.
     *
     * @param policy    the sandbox's policy
     * @param port      the interceptor's port on 127.0.0.1
     * @param sandbox   the sandbox name on audit lines
     * @param upstreams where allowed queries go
     * @param nft       nft's path
     */
    public record Settings(EgressPolicy policy, int port, String sandbox, List<InetSocketAddress> upstreams,
                           String nft) {
        /**
         * Settings with a copy of {@code upstreams}.
         *
         * @param policy    the sandbox's policy
         * @param port      the interceptor's port on 127.0.0.1
         * @param sandbox   the sandbox name on audit lines
         * @param upstreams where allowed queries go
         * @param nft       nft's path
         */
        public Settings {
            upstreams = List.copyOf(upstreams);
        }

        /**
         * Reads the settings; {@code resolvConf} gives the upstreams when the policy names none.
         *
         * @param env        the environment to read ({@code SANDBOX4J_EGRESS_POLICY}, {@code SANDBOX4J_DNS_PORT},
         *                   {@code SANDBOX4J_SANDBOX})
         * @param resolvConf the pod's resolvers, asked only when the policy names no upstream
         * @return the settings
         * @throws IllegalArgumentException naming the variable and how to fix it
         */
        public static Settings fromEnv(Map<String, String> env, Supplier<List<InetSocketAddress>> resolvConf) {
            String text = env.get(ENV_POLICY);
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException(ENV_POLICY + " is not set: it must hold the sandbox's egress policy"
                        + " in its text form (EgressPolicy.toString())");
            }
            EgressPolicy policy;
            try {
                policy = EgressPolicy.parse(text);
            } catch (SandboxException e) {
                throw new IllegalArgumentException(ENV_POLICY + ": " + e.getMessage(), e);
            }
            if (policy.allowsEverything()) {
                throw new IllegalArgumentException(ENV_POLICY + " allows everything: such a pod has no rules and needs"
                        + " no enforcer");
            }
            String portText = env.getOrDefault(ENV_DNS_PORT, "");
            int port;
            try {
                port = Integer.parseInt(portText.strip());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(ENV_DNS_PORT + "='" + portText + "' must be the port (1-65535) the"
                        + " init container's rules redirect port 53 to");
            }
            String sandbox = env.getOrDefault(ENV_SANDBOX, "").strip();
            if (sandbox.isEmpty()) {
                throw new IllegalArgumentException(ENV_SANDBOX + " is not set: it must hold the sandbox's name");
            }
            List<InetSocketAddress> upstreams = policy.upstreams().isEmpty() ? resolvConf.get() : policy.upstreams();
            if (upstreams.isEmpty()) {
                throw new IllegalArgumentException("no DNS upstream: the policy names none (add 'upstream IP:PORT' to "
                        + ENV_POLICY + ") and /etc/resolv.conf has no nameserver");
            }
            return new Settings(policy, port, sandbox, upstreams, env.getOrDefault(ENV_NFT, DEFAULT_NFT));
        }
    }

    private final Settings settings;
    private final CommandRunner runner;
    private final PrintStream out;
    private final EgressRecorder recorder;
    private final Object outLock = new Object();
    private NftShell shell;
    private DnsInterceptor interceptor;
    private ScheduledExecutorService timer;
    private long reportedDrops;
    private long printed;
    private boolean closed;

    /**
     * An enforcer that has not started yet.
     *
     * @param settings what to enforce and where
     * @param runner   runs {@code nft} (the load check and the persistent updater)
     * @param out      where audit lines go (stdout in the container)
     */
    public PodEnforcer(Settings settings, CommandRunner runner, PrintStream out) {
        this.settings = settings;
        this.runner = runner;
        this.out = out;
        this.recorder = new EgressRecorder(settings.sandbox());
    }

    /**
     * Checks that the init container's table is in the namespace (which also proves NET_ADMIN), starts the updater
     * and then the interceptor. On failure everything started is closed again.
     *
     * @return this enforcer, running
     * @throws dev.sandbox4j.SandboxException if the table is missing or the updater or interceptor cannot start
     */
    public PodEnforcer start() {
        try {
            NftRuleset rules = PodNamespaceRules.rules(settings.policy(), settings.port());
            shell = new NftShell(runner, settings.nft());
            String table;
            try {
                table = shell.query(List.of("list", "table", "inet", rules.table()), CLI);
            } catch (SandboxException e) {
                throw new SandboxException("cannot read the table " + rules.table() + " in the pod's network namespace"
                        + " (did the init container load it, and does this container hold NET_ADMIN?): "
                        + e.getMessage(), e);
            }
            if (!table.contains("chain dns_redirect")) {
                throw new SandboxException("the table " + rules.table() + " in the pod's namespace has no port-53"
                        + " redirect: it is not the rules this enforcer serves");
            }
            NftAddressSink sink = new NftAddressSink(rules, shell, GRACE, GATE);
            shell.start(CLI);
            shell.apply(rules.heartbeat(PodNamespaceRules.HEARTBEAT_TIMEOUT), CLI);
            recorder.subscribe(this::print);
            interceptor = new DnsInterceptor(DnsInterceptorConfig.builder(settings.policy())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()))
                    .upstreams(settings.upstreams())
                    .recorder(recorder)
                    .sink(sink)
                    .gateTimeout(GATE)
                    .enforcerGrace(GRACE)
                    .build());
            interceptor.start();
            timer = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "sandbox4j-enforcer-timer");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> beat(rules), BEAT.toMillis(), BEAT.toMillis(), TimeUnit.MILLISECONDS);
            timer.scheduleWithFixedDelay(() -> reportDrops(rules), COUNTERS.toMillis(), COUNTERS.toMillis(),
                    TimeUnit.MILLISECONDS);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@return the interceptor's address, once started} */
    public InetSocketAddress address() {
        return interceptor.address();
    }

    private void print(EgressEvent event) {
        synchronized (outLock) {
            out.println(auditLine(event, settings.sandbox(), ++printed));
            out.flush();
        }
    }

    /**
     * The audit line of one event: {@link EgressEvent#toJsonLine(String)}, whose fields stay as they are, with
     * {@value #SEQ_FIELD} added as its last field. For example:
     * <pre>{@code
     * {"event":"dropped","time":"2026-01-01T00:00:05Z","sandbox":"sb4j-3f2a9c01b2d4","counter":"dropped",
     *  "packets":2,"bytes":120,"seq":7}
     * }</pre>
     *
     * @param event   the event
     * @param sandbox the sandbox's name
     * @param seq     the line's number: 1 for the enforcer's first audit line, one more for each later one
     * @return the JSON object, without a line terminator
     */
    public static String auditLine(EgressEvent event, String sandbox, long seq) {
        String json = event.toJsonLine(sandbox);
        return json.substring(0, json.length() - 1) + ",\"" + SEQ_FIELD + "\":" + seq + "}";
    }

    /** Keeps learned addresses usable: without it they stop passing within the heartbeat timeout. */
    private void beat(NftRuleset rules) {
        try {
            shell.apply(rules.heartbeat(PodNamespaceRules.HEARTBEAT_TIMEOUT), GATE);
        } catch (RuntimeException e) {
            System.err.println("enforcer: heartbeat failed (learned addresses stop passing if it keeps failing): "
                    + e.getMessage());
        }
    }

    /** Records the packets the rules dropped since the last look, as the Podman sessions do. */
    private void reportDrops(NftRuleset rules) {
        try {
            Matcher m = COUNTER.matcher(shell.query(List.of("list", "counters", "table", "inet", rules.table()), CLI));
            long packets = 0;
            long bytes = 0;
            while (m.find()) {
                packets += Long.parseLong(m.group(2));
                bytes += Long.parseLong(m.group(3));
            }
            if (packets != reportedDrops) {
                reportedDrops = packets;
                recorder.record(new EgressEvent.DroppedConnections(Instant.now(), "dropped", packets, bytes));
            }
        } catch (RuntimeException e) {
            System.err.println("enforcer: could not read the drop counters: " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        if (interceptor != null) {
            interceptor.close();
        }
        if (shell != null) {
            shell.close();
        }
    }

    /** Whether the socket shim is mapped into this process (every IPv4/IPv6 socket then carries the mark). */
    static boolean markShimLoaded(Path maps) {
        try {
            return Files.readString(maps).contains(MARK_SHIM);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs the enforcer until the container is stopped; exits non-zero when it cannot run (64 for bad settings, 69
     * for anything else).
     *
     * @param args ignored: the settings come from the environment
     */
    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.fromEnv(System.getenv(), HostResolvers::fromResolvConf);
        } catch (IllegalArgumentException e) {
            System.err.println("enforcer: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        if (!markShimLoaded(Path.of("/proc/self/maps"))) {
            System.err.println("enforcer: the socket mark shim (" + MARK_SHIM + ") is not loaded, so the interceptor's"
                    + " upstream queries could not leave the pod: run the enforcer through /opt/sandbox4j/bin/enforcer"
                    + " of the enforcer image");
            System.exit(EXIT_UNAVAILABLE);
            return;
        }
        PodEnforcer enforcer = new PodEnforcer(settings, CommandRunner.system(), System.out);
        try {
            enforcer.start();
        } catch (RuntimeException e) {
            System.err.println("enforcer: cannot start, the pod's DNS stays closed: " + e.getMessage());
            System.exit(EXIT_UNAVAILABLE);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            enforcer.close();
            stopped.countDown();
        }, "sandbox4j-enforcer-stop"));
        System.err.println("enforcer: ready, interceptor on " + enforcer.address() + ", upstreams "
                + settings.upstreams() + ", table " + PodNamespaceRules.TABLE);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
