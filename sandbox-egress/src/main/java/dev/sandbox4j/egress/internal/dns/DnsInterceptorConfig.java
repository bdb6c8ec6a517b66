package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.internal.HostAddressSource;
import dev.sandbox4j.egress.internal.LearnedAddressSink;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything one sandbox's {@link DnsInterceptor} needs. Immutable; build with {@link #builder(EgressPolicy)},
 * whose setters state their defaults.
 *
 * @param policy              the sandbox's egress policy
 * @param bind                where to listen, UDP and TCP on the same port
 * @param upstreams           upstream resolvers, tried in order; at least one
 * @param recorder            where audit events go
 * @param sink                the data-plane seam called before an allowed answer is released
 * @param gateTimeout         how long the sink may take before the query fails with SERVFAIL
 * @param hostAddresses       extra addresses answers must not contain
 * @param minTtl              TTL floor for released answers
 * @param maxTtl              TTL cap for released answers
 * @param maxAddressesPerName distinct addresses one name may hold open at the enforcer at once
 * @param maxAddressesTotal   distinct addresses the whole sandbox may hold open at once
 * @param enforcerGrace       how long the enforcer keeps a learned address open beyond its TTL
 * @param queriesPerSecond    sustained query budget (token bucket refill)
 * @param queryBurst          token bucket size
 * @param upstreamTimeout     wait for one upstream attempt
 * @param upstreamDeadline    bound on all upstream attempts of one query
 * @param workerThreads       threads answering UDP queries
 * @param workerQueue         UDP queries waiting for a worker before new ones are shed
 * @param maxTcpConnections   concurrent TCP connections
 * @param tcpIdleTimeout      idle time after which a TCP connection is closed
 * @param receiveBufferBytes  the UDP socket's receive buffer in bytes; 0 for the OS default
 * @param auditInterval       how often shed or dropped queries are reported while they happen
 * @param cacheEntries        allowed answers cached until their TTL; 0 disables the cache
 * @param uncaughtHandler     told about every exception that escapes a query handler
 * @param clock               time source for TTLs, the cache and event times
 */
public record DnsInterceptorConfig(
        EgressPolicy policy,
        InetSocketAddress bind,
        List<InetSocketAddress> upstreams,
        EgressRecorder recorder,
        LearnedAddressSink sink,
        Duration gateTimeout,
        HostAddressSource hostAddresses,
        Duration minTtl,
        Duration maxTtl,
        int maxAddressesPerName,
        int maxAddressesTotal,
        Duration enforcerGrace,
        double queriesPerSecond,
        int queryBurst,
        Duration upstreamTimeout,
        Duration upstreamDeadline,
        int workerThreads,
        int workerQueue,
        int maxTcpConnections,
        Duration tcpIdleTimeout,
        int receiveBufferBytes,
        Duration auditInterval,
        int cacheEntries,
        Consumer<Throwable> uncaughtHandler,
        Clock clock) {

    /** The enforcers' default grace beyond a learned address's TTL: what {@link Builder#enforcerGrace} assumes. */
    public static final Duration DEFAULT_ENFORCER_GRACE = Duration.ofSeconds(120);

    /**
     * Checks every component and copies the upstreams.
     *
     * @param policy              the sandbox's egress policy
     * @param bind                where to listen, UDP and TCP on the same port
     * @param upstreams           upstream resolvers, tried in order; at least one
     * @param recorder            where audit events go
     * @param sink                the data-plane seam called before an allowed answer is released
     * @param gateTimeout         how long the sink may take before the query fails with SERVFAIL
     * @param hostAddresses       extra addresses answers must not contain
     * @param minTtl              TTL floor for released answers
     * @param maxTtl              TTL cap for released answers
     * @param maxAddressesPerName distinct addresses one name may hold open at the enforcer at once
     * @param maxAddressesTotal   distinct addresses the whole sandbox may hold open at once
     * @param enforcerGrace       how long the enforcer keeps a learned address open beyond its TTL
     * @param queriesPerSecond    sustained query budget (token bucket refill)
     * @param queryBurst          token bucket size
     * @param upstreamTimeout     wait for one upstream attempt
     * @param upstreamDeadline    bound on all upstream attempts of one query
     * @param workerThreads       threads answering UDP queries
     * @param workerQueue         UDP queries waiting for a worker before new ones are shed
     * @param maxTcpConnections   concurrent TCP connections
     * @param tcpIdleTimeout      idle time after which a TCP connection is closed
     * @param receiveBufferBytes  the UDP socket's receive buffer in bytes; 0 for the OS default
     * @param auditInterval       how often shed or dropped queries are reported while they happen
     * @param cacheEntries        allowed answers cached until their TTL; 0 disables the cache
     * @param uncaughtHandler     told about every exception that escapes a query handler
     * @param clock               time source for TTLs, the cache and event times
     * @throws dev.sandbox4j.SandboxConfigException naming the first component that is missing or out of range
     */
    public DnsInterceptorConfig {
        require(policy != null, "policy must not be null");
        require(bind != null && !bind.isUnresolved(), "bind must be an IP address and port (port 0 = any free port)");
        upstreams = List.copyOf(upstreams);
        require(!upstreams.isEmpty(), "the interceptor needs at least one DNS upstream: set them on the policy"
                + " (withUpstream) or on the builder; HostResolvers.fromResolvConf() reads the host's");
        for (InetSocketAddress u : upstreams) {
            require(!u.isUnresolved() && u.getPort() > 0, "upstream " + u + " must be an IP address with a port");
        }
        require(recorder != null && sink != null && hostAddresses != null && uncaughtHandler != null && clock != null,
                "recorder, sink, hostAddresses, uncaughtHandler and clock must not be null");
        require(positive(gateTimeout) && positive(upstreamTimeout) && positive(upstreamDeadline)
                && positive(tcpIdleTimeout), "timeouts must be positive");
        require(minTtl != null && maxTtl != null && !minTtl.isNegative() && minTtl.compareTo(maxTtl) <= 0,
                "minTtl must be between 0 and maxTtl");
        require(maxAddressesPerName >= 1 && maxAddressesTotal >= maxAddressesPerName,
                "maxAddressesPerName must be at least 1 and maxAddressesTotal at least maxAddressesPerName");
        require(enforcerGrace != null && !enforcerGrace.isNegative(), "enforcerGrace must be zero or positive");
        require(receiveBufferBytes >= 0, "receiveBufferBytes must be 0 (the OS default) or positive");
        require(positive(auditInterval), "auditInterval must be positive");
        require(queriesPerSecond > 0 && queryBurst >= 1, "queriesPerSecond must be positive and queryBurst >= 1");
        require(workerThreads >= 1 && workerQueue >= 1 && maxTcpConnections >= 1 && cacheEntries >= 0,
                "workerThreads, workerQueue and maxTcpConnections must be at least 1, cacheEntries at least 0");
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new SandboxConfigException("DNS interceptor: " + message);
        }
    }

    /**
     * A builder with the defaults below; upstreams default to the policy's.
     *
     * @param policy the sandbox's egress policy
     * @return a new builder
     */
    public static Builder builder(EgressPolicy policy) {
        return new Builder(policy);
    }

    /**
     * A builder holding this configuration.
     *
     * @return a new builder; changing it does not change this configuration
     */
    public Builder toBuilder() {
        Builder b = new Builder(policy);
        b.bind = bind;
        b.upstreams = upstreams;
        b.recorder = recorder;
        b.sink = sink;
        b.gateTimeout = gateTimeout;
        b.hostAddresses = hostAddresses;
        b.minTtl = minTtl;
        b.maxTtl = maxTtl;
        b.maxAddressesPerName = maxAddressesPerName;
        b.maxAddressesTotal = maxAddressesTotal;
        b.enforcerGrace = enforcerGrace;
        b.queriesPerSecond = queriesPerSecond;
        b.queryBurst = queryBurst;
        b.upstreamTimeout = upstreamTimeout;
        b.upstreamDeadline = upstreamDeadline;
        b.workerThreads = workerThreads;
        b.workerQueue = workerQueue;
        b.maxTcpConnections = maxTcpConnections;
        b.tcpIdleTimeout = tcpIdleTimeout;
        b.receiveBufferBytes = receiveBufferBytes;
        b.auditInterval = auditInterval;
        b.cacheEntries = cacheEntries;
        b.uncaughtHandler = uncaughtHandler;
        b.clock = clock;
        return b;
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private EgressPolicy policy;
        private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private List<InetSocketAddress> upstreams;
        private EgressRecorder recorder;
        private LearnedAddressSink sink = LearnedAddressSink.NONE;
        private Duration gateTimeout = Duration.ofMillis(250);
        private HostAddressSource hostAddresses = HostAddressSource.NONE;
        private Duration minTtl = Duration.ofSeconds(5);
        private Duration maxTtl = Duration.ofSeconds(300);
        private int maxAddressesPerName = 64;
        private int maxAddressesTotal = 4096;
        private Duration enforcerGrace = DEFAULT_ENFORCER_GRACE;
        private double queriesPerSecond = 200;
        private int queryBurst = 400;
        private Duration upstreamTimeout = Duration.ofMillis(1500);
        private Duration upstreamDeadline = Duration.ofSeconds(4);
        private int workerThreads = 2;
        private int workerQueue = 256;
        private int maxTcpConnections = 16;
        private Duration tcpIdleTimeout = Duration.ofSeconds(5);
        private int receiveBufferBytes;
        private Duration auditInterval = Duration.ofSeconds(1);
        private int cacheEntries = 10_000;
        private Consumer<Throwable> uncaughtHandler = t -> { };
        private Clock clock = Clock.systemUTC();

        private Builder(EgressPolicy policy) {
            this.policy = policy;
            this.upstreams = policy == null ? List.of() : policy.upstreams();
        }

        /**
         * Where to listen, UDP and TCP on the same port; default 127.0.0.1:0 (a free port).
         *
         * @param bind an IP address and port; port 0 for any free port
         * @return this builder
         */
        public Builder bind(InetSocketAddress bind) {
            this.bind = bind;
            return this;
        }

        /**
         * Upstreams tried in order; default the policy's {@link EgressPolicy#upstreams()}.
         *
         * @param upstreams IP addresses with ports
         * @return this builder
         */
        public Builder upstreams(List<InetSocketAddress> upstreams) {
            this.upstreams = upstreams;
            return this;
        }

        /**
         * Where audit events go; default a new {@link EgressRecorder} named "sandbox".
         *
         * @param recorder the recorder
         * @return this builder
         */
        public Builder recorder(EgressRecorder recorder) {
            this.recorder = recorder;
            return this;
        }

        /**
         * The data-plane seam called before an allowed answer is released; default {@link LearnedAddressSink#NONE}.
         *
         * @param sink the sink
         * @return this builder
         */
        public Builder sink(LearnedAddressSink sink) {
            this.sink = sink;
            return this;
        }

        /**
         * How long the sink may take before the query fails with SERVFAIL; default 250 ms.
         *
         * @param gateTimeout a positive duration
         * @return this builder
         */
        public Builder gateTimeout(Duration gateTimeout) {
            this.gateTimeout = gateTimeout;
            return this;
        }

        /**
         * Extra addresses answers must not contain; default none.
         *
         * @param hostAddresses the addresses to refuse in answers
         * @return this builder
         */
        public Builder hostAddresses(HostAddressSource hostAddresses) {
            this.hostAddresses = hostAddresses;
            return this;
        }

        /**
         * TTL floor for released answers; default 5 s.
         *
         * @param minTtl zero or more, at most the cap
         * @return this builder
         */
        public Builder minTtl(Duration minTtl) {
            this.minTtl = minTtl;
            return this;
        }

        /**
         * TTL cap for released answers; default 300 s.
         *
         * @param maxTtl at least the floor
         * @return this builder
         */
        public Builder maxTtl(Duration maxTtl) {
            this.maxTtl = maxTtl;
            return this;
        }

        /**
         * Distinct addresses one name may hold open at the enforcer at once (an address counts until its TTL plus
         * {@link #enforcerGrace} has passed); default 64. New addresses over it are withheld from the answer and
         * never programmed; when none is left, SERVFAIL.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxAddressesPerName(int max) {
            this.maxAddressesPerName = max;
            return this;
        }

        /**
         * Distinct addresses the whole sandbox may hold open at the enforcer at once, counted like
         * {@link #maxAddressesPerName}; default 4096.
         *
         * @param max at least {@code maxAddressesPerName}
         * @return this builder
         */
        public Builder maxAddressesTotal(int max) {
            this.maxAddressesTotal = max;
            return this;
        }

        /**
         * How long the enforcer keeps a learned address open beyond its TTL (the sink's own grace); default 120 s.
         * The address caps count an address until its TTL plus this grace (plus {@link #gateTimeout}) has
         * passed, so they cover everything still open. Set it to what the sink really uses.
         *
         * @param grace zero or positive
         * @return this builder
         */
        public Builder enforcerGrace(Duration grace) {
            this.enforcerGrace = grace;
            return this;
        }

        /**
         * Sustained query budget (token bucket refill); default 200 per second. Over budget: dropped.
         *
         * @param qps a positive rate
         * @return this builder
         */
        public Builder queriesPerSecond(double qps) {
            this.queriesPerSecond = qps;
            return this;
        }

        /**
         * Token bucket size; default 400 queries.
         *
         * @param burst at least 1
         * @return this builder
         */
        public Builder queryBurst(int burst) {
            this.queryBurst = burst;
            return this;
        }

        /**
         * Wait for one upstream attempt; default 1.5 s.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder upstreamTimeout(Duration timeout) {
            this.upstreamTimeout = timeout;
            return this;
        }

        /**
         * Bound on all upstream attempts of one query; default 4 s. Past it: SERVFAIL.
         *
         * @param deadline a positive duration
         * @return this builder
         */
        public Builder upstreamDeadline(Duration deadline) {
            this.upstreamDeadline = deadline;
            return this;
        }

        /**
         * This sandbox's cap on queries being resolved at once (upstream, CNAME chain, sink) on the workers every
         * interceptor in the JVM shares; default 2. The workers take the sandboxes with waiting queries
         * round-robin, so a flooded sandbox never holds more than this many of them. No threads are made per
         * sandbox; its sink calls in flight are capped at the larger of this and 2.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            this.workerThreads = threads;
            return this;
        }

        /**
         * This sandbox's queries (UDP and TCP) waiting for a worker before new ones are shed; default 256.
         *
         * @param queue at least 1
         * @return this builder
         */
        public Builder workerQueue(int queue) {
            this.workerQueue = queue;
            return this;
        }

        /**
         * Concurrent TCP connections of this sandbox; more are closed at once and counted as shed; default 16.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxTcpConnections(int max) {
            this.maxTcpConnections = max;
            return this;
        }

        /**
         * A TCP connection idle this long is closed; default 5 s.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder tcpIdleTimeout(Duration timeout) {
            this.tcpIdleTimeout = timeout;
            return this;
        }

        /**
         * The UDP socket's receive buffer (SO_RCVBUF) in bytes; default 0, the OS default (Linux:
         * {@code net.core.rmem_default}; the kernel doubles the value and caps it at {@code net.core.rmem_max}).
         * Datagrams arriving while it is full are dropped by the kernel; where the OS says how many (Linux), they
         * are reported like shed queries.
         *
         * @param bytes 0 for the OS default, or a positive byte count
         * @return this builder
         */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = bytes;
            return this;
        }

        /**
         * How often queries shed or dropped are reported while they happen: the first of a burst at once, the
         * rest as counts at most once per interval per reason; default 1 s.
         *
         * @param interval a positive duration
         * @return this builder
         */
        public Builder auditInterval(Duration interval) {
            this.auditInterval = interval;
            return this;
        }

        /**
         * Allowed answers cached until their TTL; default 10,000 (0 disables the cache).
         *
         * @param entries 0 or more
         * @return this builder
         */
        public Builder cacheEntries(int entries) {
            this.cacheEntries = entries;
            return this;
        }

        /**
         * Told about every exception that escapes a query handler (a bug); default: nothing beyond a WARN log.
         *
         * @param handler called with each escaped exception
         * @return this builder
         */
        public Builder uncaughtHandler(Consumer<Throwable> handler) {
            this.uncaughtHandler = handler;
            return this;
        }

        /**
         * Time source for TTLs, the cache and event times; default the system UTC clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Makes the configuration; a missing recorder becomes a new {@link EgressRecorder} named {@code sandbox}.
         *
         * @return the configuration
         * @throws dev.sandbox4j.SandboxConfigException naming the first setting that is missing or out of range (for
         *         example no upstream when the policy names none)
         */
        public DnsInterceptorConfig build() {
            return new DnsInterceptorConfig(policy, bind, upstreams == null ? List.of() : upstreams,
                    recorder == null ? new EgressRecorder("sandbox") : recorder, sink, gateTimeout, hostAddresses,
                    minTtl, maxTtl, maxAddressesPerName, maxAddressesTotal, enforcerGrace, queriesPerSecond,
                    queryBurst, upstreamTimeout, upstreamDeadline, workerThreads, workerQueue, maxTcpConnections,
                    tcpIdleTimeout, receiveBufferBytes, auditInterval, cacheEntries, uncaughtHandler, clock);
        }
    }
}
