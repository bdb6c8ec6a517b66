package dev.sandbox4j.egress;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** One entry of a sandbox's egress audit trail ({@link EgressLog}). */
public sealed interface EgressEvent
        permits EgressEvent.DnsDecision, EgressEvent.DroppedConnections, EgressEvent.QueriesShed,
        EgressEvent.EnforcementLost {

    /** {@return when it happened (for a DNS decision: when the answer or refusal was sent)} */
    Instant time();

    /**
     * This event as one JSON object on one line (no newline), the form of the JSON-lines audit file and of
     * {@code sandbox audit --json}. Fields: {@code event} ({@code "dns"}, {@code "dropped"} or {@code "shed"}),
     * {@code time} (ISO-8601), {@code sandbox}, then the record's components in order, with the verdict as
     * {@code decision} and durations in milliseconds ({@code ttl_ms}, {@code upstream_ms}). For example:
     * <pre>{@code
     * {"event":"dns","time":"2026-01-01T00:00:00Z","sandbox":"sb4j-3f2a9c01b2d4","qname":"evil.example.",
     *  "qtype":"A","decision":"DENIED","rcode":"NXDOMAIN","rule":"default","answers":[],"ttl_ms":0,
     *  "upstream_ms":0,"reason":"..."}
     * }</pre>
     *
     * @param sandbox the sandbox's name ({@link dev.sandbox4j.Sandbox#name()})
     * @return the JSON object, without a line terminator
     */
    default String toJsonLine(String sandbox) {
        return dev.sandbox4j.internal.AuditJson.line(this, sandbox);
    }

    /** What the DNS interceptor did with a query. */
    enum Verdict {
        /** The policy allowed the name and the answer passed every check (NOERROR, or the upstream's NXDOMAIN). */
        ALLOWED,
        /** The policy, a CNAME target or an answer address was denied: NXDOMAIN with extended error "Prohibited". */
        DENIED,
        /** The query was not acceptable (type, class, opcode, format, budget, caps): REFUSED, NOTIMP or FORMERR. */
        REFUSED,
        /** The name was allowed but could not be answered safely (upstream or enforcement failure): SERVFAIL. */
        FAILED
    }

    /**
     * A DNS query the interceptor decided.
     *
     * @param time            when the answer (or refusal) was sent
     * @param qname           the query name as text, lowercase, absolute; non-LDH bytes escaped as {@code \DDD}
     * @param qtype           the query type mnemonic (A, AAAA, TXT, TYPE65534, ...)
     * @param verdict         what happened
     * @param rcode           the response code sent (NOERROR, NXDOMAIN, SERVFAIL, ...), or "DROPPED"
     * @param rule            the deciding rule's text, {@value EgressDecision#DEFAULT_RULE}, or "" when no rule
     *                        was consulted (malformed queries)
     * @param answers         the addresses released to the sandbox (and learned by the enforcer), or CNAME targets
     * @param ttl             the TTL sent with the answers (zero when none)
     * @param upstreamLatency time spent asking upstreams (zero for cached, denied or refused queries)
     * @param reason          a sentence that says why
     */
    record DnsDecision(Instant time, String qname, String qtype, Verdict verdict, String rcode, String rule,
            List<String> answers, Duration ttl, Duration upstreamLatency, String reason) implements EgressEvent {
        /**
         * Checks that no component is null and copies {@code answers} into an unmodifiable list.
         *
         * @param time            when the answer (or refusal) was sent
         * @param qname           the query name as text, lowercase, absolute; non-LDH bytes escaped as {@code \DDD}
         * @param qtype           the query type mnemonic (A, AAAA, TXT, TYPE65534, ...)
         * @param verdict         what happened
         * @param rcode           the response code sent (NOERROR, NXDOMAIN, SERVFAIL, ...), or "DROPPED"
         * @param rule            the deciding rule's text, {@value EgressDecision#DEFAULT_RULE}, or "" when no rule
         *                        was consulted (malformed queries)
         * @param answers         the addresses released to the sandbox (and learned by the enforcer), or CNAME targets
         * @param ttl             the TTL sent with the answers (zero when none)
         * @param upstreamLatency time spent asking upstreams (zero for cached, denied or refused queries)
         * @param reason          a sentence that says why
         * @throws IllegalArgumentException if a component other than {@code answers} is null
         */
        public DnsDecision {
            if (time == null || qname == null || qtype == null || verdict == null || rcode == null || rule == null
                    || ttl == null || upstreamLatency == null || reason == null) {
                throw new IllegalArgumentException("DnsDecision components must not be null");
            }
            answers = List.copyOf(answers);
        }
    }

    /**
     * Connections the enforcer dropped or rejected since its previous report, by counter.
     *
     * @param time    when the counters were read
     * @param counter what was dropped, such as {@code tcp}, {@code udp}, {@code icmp} or {@code ipv6}
     * @param packets packets dropped in the interval
     * @param bytes   bytes dropped in the interval
     */
    record DroppedConnections(Instant time, String counter, long packets, long bytes) implements EgressEvent {
        /**
         * Checks that no component is null.
         *
         * @param time    when the counters were read
         * @param counter what was dropped, such as {@code tcp}, {@code udp}, {@code icmp} or {@code ipv6}
         * @param packets packets dropped in the interval
         * @param bytes   bytes dropped in the interval
         * @throws IllegalArgumentException if {@code time} or {@code counter} is null
         */
        public DroppedConnections {
            if (time == null || counter == null) {
                throw new IllegalArgumentException("DroppedConnections components must not be null");
            }
        }
    }

    /**
     * Queries the interceptor shed without answering (query budget or worker queue exhausted), aggregated so a
     * flood does not flood the log too.
     *
     * @param time   when this aggregate was recorded
     * @param count  queries shed since the previous such event
     * @param reason why
     */
    record QueriesShed(Instant time, long count, String reason) implements EgressEvent {
        /**
         * Checks that no component is null.
         *
         * @param time   when this aggregate was recorded
         * @param count  queries shed since the previous such event
         * @param reason why
         * @throws IllegalArgumentException if {@code time} or {@code reason} is null
         */
        public QueriesShed {
            if (time == null || reason == null) {
                throw new IllegalArgumentException("QueriesShed components must not be null");
            }
        }
    }

    /**
     * The sandbox's enforcement was found missing or changed from outside (say, its firewall table deleted by an
     * administrator), and the sandbox was cut off: it has no network from then on and learns nothing more.
     *
     * @param time   when it was found
     * @param reason what was found
     * @param action what was done about it
     */
    record EnforcementLost(Instant time, String reason, String action) implements EgressEvent {
        /**
         * Checks that no component is null.
         *
         * @param time   when it was found
         * @param reason what was found
         * @param action what was done about it
         * @throws IllegalArgumentException if a component is null
         */
        public EnforcementLost {
            if (time == null || reason == null || action == null) {
                throw new IllegalArgumentException("EnforcementLost components must not be null");
            }
        }
    }
}
