package dev.sandbox4j.egress.internal.relay;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRule;
import dev.sandbox4j.egress.internal.HostAddressSource;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Whether a relayed TCP connection may be opened: the same order of checks as the nftables ruleset of a Linux
 * sandbox ({@link dev.sandbox4j.egress.internal.nft.NftRuleset}), applied by the JVM to each CONNECT:
 * <ol>
 *   <li>never: loopback, unspecified, link-local, multicast and the metadata addresses, and the host's own
 *       addresses (the connection would be opened <em>from</em> the host, so these would reach the host's own
 *       services);</li>
 *   <li>CIDR deny rules, which beat learned addresses;</li>
 *   <li>with a default-allow policy: everything else;</li>
 *   <li>DoT (853) never;</li>
 *   <li>addresses the DNS interceptor learned for an allowed name, on that name's ports, until TTL + grace;</li>
 *   <li>CIDR allow rules; otherwise deny.</li>
 * </ol>
 * Port 53 never gets here: DNS over TCP goes to the interceptor. Thread-safe.
 */
public final class RelayDecisions {
    private static final List<Cidr> NEVER = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("127.0.0.0/8"), Cidr.parse("169.254.0.0/16"),
            Cidr.parse("224.0.0.0/4"), Cidr.parse("255.255.255.255/32"), Cidr.parse("100.100.100.200/32"),
            Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("fe80::/10"), Cidr.parse("ff00::/8"),
            Cidr.parse("fd00:ec2::254/128"));

    /**
     * A decision and its reason (for the audit log and the guest's log).
     *
     * @param allowed whether the connection may be opened
     * @param reason  a sentence naming the destination and the check that decided
     */
    public record Verdict(boolean allowed, String reason) {
    }

    private record Entry(AllowedPorts ports, Instant until, String name) {
    }

    private final EgressPolicy policy;
    private final HostAddressSource host;
    private final Clock clock;
    private final Duration grace;
    private final Map<InetAddress, List<Entry>> learned = new HashMap<>();

    /**
     * Decisions for one sandbox's policy; nothing is learned yet.
     *
     * @param policy the sandbox's egress policy
     * @param host   the host's own addresses, which are never reachable
     * @param clock  the clock that expires learned addresses
     * @param grace  how long a learned address stays usable beyond its TTL
     */
    public RelayDecisions(EgressPolicy policy, HostAddressSource host, Clock clock, Duration grace) {
        this.policy = policy;
        this.host = host;
        this.clock = clock;
        this.grace = grace;
    }

    /**
     * Remembers addresses the interceptor is about to release; the sink the interceptor calls. Addresses whose
     * ports allow nothing are ignored.
     *
     * @param a the addresses, their TTL, ports and the name they answer
     */
    public void learn(LearnedAddresses a) {
        if (a.ports().isNone()) {
            return;
        }
        Instant until = clock.instant().plus(a.ttl()).plus(grace);
        synchronized (learned) {
            for (InetAddress address : a.addresses()) {
                List<Entry> entries = learned.computeIfAbsent(address, k -> new ArrayList<>());
                entries.removeIf(e -> e.until().isBefore(clock.instant()));
                entries.add(new Entry(a.ports(), until, a.qname()));
            }
        }
    }

    /** {@return how many addresses are learned and not expired; expired ones are dropped on the way} */
    public int learnedAddresses() {
        synchronized (learned) {
            Instant now = clock.instant();
            int n = 0;
            for (Iterator<List<Entry>> it = learned.values().iterator(); it.hasNext(); ) {
                List<Entry> entries = it.next();
                entries.removeIf(e -> e.until().isBefore(now));
                if (entries.isEmpty()) {
                    it.remove();
                } else {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * Decides one CONNECT by the checks listed on this class, in their order.
     *
     * @param address the connection's original destination
     * @param port    its TCP port
     * @return the verdict with its reason
     */
    public Verdict decide(InetAddress address, int port) {
        String to = address.getHostAddress() + ":" + port;
        for (Cidr c : NEVER) {
            if (c.contains(address)) {
                return new Verdict(false, to + " is a loopback, link-local, multicast or metadata address");
            }
        }
        for (Cidr c : host.hostAddresses()) {
            if (c.contains(address)) {
                return new Verdict(false, to + " is an address of the host");
            }
        }
        for (EgressRule rule : policy.rules()) {
            if (rule instanceof EgressRule.CidrRule c && c.action() == EgressRule.Action.DENY
                    && c.cidr().contains(address) && c.coversPort(port)) {
                return new Verdict(false, to + " is denied by rule " + c);
            }
        }
        if (policy.defaultAllows()) {
            return new Verdict(true, to + " is allowed by the policy's default");
        }
        if (port == 853) {
            return new Verdict(false, to + ": DNS over TLS is never relayed");
        }
        String name = learnedName(address, port);
        if (name != null) {
            return new Verdict(true, to + " was learned from an allowed answer for " + name);
        }
        for (EgressRule rule : policy.rules()) {
            if (rule instanceof EgressRule.CidrRule c && c.action() == EgressRule.Action.ALLOW
                    && c.cidr().contains(address) && c.coversPort(port)) {
                return new Verdict(true, to + " is allowed by rule " + c);
            }
        }
        return new Verdict(false, to + " was never in an allowed DNS answer and no rule allows it");
    }

    /** The name an unexpired entry allows this port for, unless another entry for the address denies the port. */
    private String learnedName(InetAddress address, int port) {
        if (!(address instanceof Inet4Address) && !(address instanceof Inet6Address)) {
            return null;
        }
        synchronized (learned) {
            List<Entry> entries = learned.get(address);
            if (entries == null) {
                return null;
            }
            Instant now = clock.instant();
            String allowedBy = null;
            for (Entry e : entries) {
                if (e.until().isBefore(now)) {
                    continue;
                }
                if (e.ports().contains(port)) {
                    allowedBy = allowedBy == null ? e.name() : allowedBy;
                } else if (e.ports().allExcept()) {
                    return null;  // a name allowed "all but this port" here: the denied port wins, as on Linux
                }
            }
            return allowedBy;
        }
    }
}
