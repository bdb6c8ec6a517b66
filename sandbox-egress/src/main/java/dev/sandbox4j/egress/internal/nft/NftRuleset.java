package dev.sandbox4j.egress.internal.nft;

import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.internal.ForbiddenAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The nftables rules that police one sandbox, as text for {@code nft -f -}, loaded into the sandbox's own network
 * namespace from outside the workload before its first instruction. Pure: no I/O. One table per sandbox, default
 * deny; in the namespace every packet the workload sends passes the {@code output} hook, so nothing depends on
 * interface names or source addresses (which the workload could forge only with capabilities it lacks):
 * <ul>
 *   <li>every port-53 packet (UDP and TCP, any destination) is sent to the sandbox's DNS interceptor
 *       ({@code dnat}), at a bounded rate and with short-lived connection tracking;</li>
 *   <li>the host (its own addresses, the gateway, the sandbox network) answers only that DNS;</li>
 *   <li>CIDR deny rules, cloud metadata endpoints and the ports a name rule denies are refused in every policy
 *       mode, and so is every class in {@link ForbiddenAddresses} unless an allow-cidr rule names it;</li>
 *   <li>under a deny-by-default policy only TCP leaves, and only to addresses the interceptor learned
 *       ({@code a4}/{@code a4p}/{@code a6}/{@code a6p} sets, with timeouts) or that a CIDR rule allows; DoT
 *       (853) never; everything else is rejected, TCP with a reset so a denied connect fails at once;</li>
 *   <li>nothing reaches the sandbox unless it is a reply or for a published port.</li>
 * </ul>
 * Each packet is checked against the sets, not just new connections, so an address removed from a set (by
 * timeout or revocation) stops its established flows too.
 */
public final class NftRuleset {
    /** Prefix of every table Sandbox4j creates. */
    public static final String TABLE_PREFIX = "sandbox4j_";
    /** Port-53 UDP packets per second a sandbox may send (twice the interceptor's own query budget). */
    public static final int DNS_PACKETS_PER_SECOND = 400;
    /** New TCP connections to port 53 per second a sandbox may open. */
    public static final int DNS_CONNECTIONS_PER_SECOND = 20;
    /** How long connection tracking keeps a port-53 UDP exchange, in seconds. */
    public static final int DNS_CONNTRACK_SECONDS = 5;
    /** The table a health check loads when a sandbox's own table is missing or changed: it drops everything. */
    public static final String CUT_OFF_TABLE = TABLE_PREFIX + "cut_off";
    private static final Pattern TABLE = Pattern.compile(TABLE_PREFIX + "[a-z0-9_]{1,40}");

    /**
     * A static rule from a CIDR rule of the policy; empty ports means every port (and, for a deny, every protocol).
     *
     * @param allow whether the rule allows (else denies)
     * @param cidr  the network in CIDR form, such as {@code 10.0.0.0/8}
     * @param ipv6  whether {@code cidr} is an IPv6 network
     * @param ports the TCP ports; empty for every port
     */
    public record CidrRule(boolean allow, String cidr, boolean ipv6, List<Integer> ports) {
        /**
         * Checks the CIDR's form and copies the ports.
         *
         * @param allow whether the rule allows (else denies)
         * @param cidr  the network in CIDR form, such as {@code 10.0.0.0/8}
         * @param ipv6  whether {@code cidr} is an IPv6 network
         * @param ports the TCP ports; empty for every port
         * @throws IllegalArgumentException if {@code cidr} is not an address and prefix length
         */
        public CidrRule {
            ports = List.copyOf(ports);
            if (!cidr.matches("[0-9a-fA-F:.]+/[0-9]{1,3}")) {
                throw new IllegalArgumentException("not a CIDR: " + cidr);
            }
        }
    }

    /**
     * A published container port that may receive new connections.
     *
     * @param protocol {@code tcp} or {@code udp}
     * @param port     the container port, 1 to 65535
     */
    public record Inbound(String protocol, int port) {
        /**
         * Checks the protocol and the port.
         *
         * @param protocol {@code tcp} or {@code udp}
         * @param port     the container port, 1 to 65535
         * @throws IllegalArgumentException if the protocol is neither {@code tcp} nor {@code udp}, or the port is out
         *         of range
         */
        public Inbound {
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new IllegalArgumentException("protocol must be tcp or udp, not " + protocol);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
        }
    }

    private final String table;
    private final InetAddress dnsAddress;
    private final int dnsPort;
    private final List<Cidr> hostNetworks;
    private final List<CidrRule> cidrs;
    private final boolean defaultAllow;
    private final List<Inbound> inbound;
    private final long upstreamMark;
    private final List<InetSocketAddress> markedUpstreams;
    private final boolean heartbeat;

    /**
     * @param table        the table's name, {@link #TABLE_PREFIX} and lowercase letters, digits, underscores
     * @param dnsAddress   where the interceptor listens as the sandbox sees it (IPv4)
     * @param dnsPort      the interceptor's port
     * @param hostNetworks the host's own addresses, the gateway and the sandbox network: only DNS reaches them
     * @param cidrs        the policy's CIDR rules, in order
     * @param defaultAllow a policy like {@code allowAll().deny(...)}: traffic no rule denies leaves the sandbox
     * @param inbound      published container ports
     */
    public NftRuleset(String table, InetAddress dnsAddress, int dnsPort, List<Cidr> hostNetworks,
                      List<CidrRule> cidrs, boolean defaultAllow, List<Inbound> inbound) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("table name " + table + " must match " + TABLE.pattern());
        }
        if (dnsAddress instanceof Inet6Address) {
            throw new IllegalArgumentException("the interceptor's address must be IPv4: " + dnsAddress);
        }
        if (dnsPort < 1 || dnsPort > 65535) {
            throw new IllegalArgumentException("not a port: " + dnsPort);
        }
        this.table = table;
        this.dnsAddress = dnsAddress;
        this.dnsPort = dnsPort;
        this.hostNetworks = List.copyOf(hostNetworks);
        this.cidrs = List.copyOf(cidrs);
        this.defaultAllow = defaultAllow;
        this.inbound = List.copyOf(inbound);
        this.upstreamMark = 0;
        this.markedUpstreams = List.of();
        this.heartbeat = false;
    }

    private NftRuleset(NftRuleset base, long mark, List<InetSocketAddress> upstreams, boolean heartbeat) {
        this.table = base.table;
        this.dnsAddress = base.dnsAddress;
        this.dnsPort = base.dnsPort;
        this.hostNetworks = base.hostNetworks;
        this.cidrs = base.cidrs;
        this.defaultAllow = base.defaultAllow;
        this.inbound = base.inbound;
        this.upstreamMark = mark;
        this.markedUpstreams = List.copyOf(upstreams);
        this.heartbeat = heartbeat;
    }

    /**
     * These rules, plus a way out for the interceptor's own upstream queries when it shares the namespace with the
     * workload (a Kubernetes pod): packets carrying the socket mark {@code mark} to one of {@code upstreams}
     * (address and port, UDP or TCP) skip the port-53 redirect and leave, ahead of every deny. Setting a socket
     * mark (SO_MARK) needs CAP_NET_ADMIN in the namespace, which the workload never holds, so it cannot send such
     * packets whatever uid it runs as. An empty {@code upstreams} lets marked packets to port 53 of any address
     * out (for an interceptor that learns its upstream from the pod's resolv.conf at run time).
     *
     * @param mark      the socket mark, 1 to 0xFFFFFFFF
     * @param upstreams the interceptor's upstreams (IP literals with ports), or empty for any address on port 53
     * @return a copy of these rules with the exemption
     */
    public NftRuleset withMarkedUpstreams(long mark, List<InetSocketAddress> upstreams) {
        if (mark < 1 || mark > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("a socket mark is 1 to 0xFFFFFFFF, not " + mark);
        }
        for (InetSocketAddress u : upstreams) {
            if (u.isUnresolved() || u.getPort() < 1) {
                throw new IllegalArgumentException("upstream " + u + " must be an IP address with a port");
            }
        }
        return new NftRuleset(this, mark, upstreams, heartbeat);
    }

    /**
     * These rules, with learned addresses usable only while the enforcer is alive: the learned-set accepts also
     * need the element {@code tcp} in the set {@code alive}, which the enforcer keeps renewing with
     * {@link #heartbeat(Duration)}. When the enforcer dies the element times out, and from then on only the
     * policy's CIDR rules let anything out, whatever was learned before. Loaded without the element, so nothing
     * learned passes before the enforcer's first beat.
     *
     * @return a copy of these rules with the heartbeat
     */
    public NftRuleset withHeartbeat() {
        return new NftRuleset(this, upstreamMark, markedUpstreams, true);
    }

    /**
     * One command that renews the enforcer's heartbeat for {@code timeout} (created if missing; add, delete, add in
     * one transaction, so nft always confirms it and the element never lapses in between).
     *
     * @param timeout how long the renewed element lives
     * @return the command, one line for the persistent updater
     */
    public String heartbeat(Duration timeout) {
        if (!heartbeat) {
            throw new IllegalStateException("these rules have no heartbeat (withHeartbeat)");
        }
        long seconds = Math.max(1, timeout.toSeconds());
        String prefix = " element inet " + table + " alive { tcp";
        return "add" + prefix + " timeout " + seconds + "s }; delete" + prefix + " }; add" + prefix + " timeout "
                + seconds + "s };";
    }

    /** {@return the socket mark of {@link #withMarkedUpstreams}, 0 when there is none} */
    public long upstreamMark() {
        return upstreamMark;
    }

    /** The upstream matches of the marked way out, one per upstream and protocol ("" for any address). */
    private List<String> markedMatches() {
        String mark = "meta mark 0x" + Long.toHexString(upstreamMark);
        List<String> out = new java.util.ArrayList<>();
        for (String proto : List.of("udp", "tcp")) {
            if (markedUpstreams.isEmpty()) {
                out.add(mark + " " + proto + " dport 53");
            }
            for (InetSocketAddress u : markedUpstreams) {
                boolean v6 = u.getAddress() instanceof Inet6Address;
                String ip = u.getAddress().getHostAddress();
                int zone = ip.indexOf('%');
                out.add(mark + " " + (v6 ? "ip6" : "ip") + " daddr " + (zone >= 0 ? ip.substring(0, zone) : ip) + " "
                        + proto + " dport " + u.getPort());
            }
        }
        return out;
    }

    /** {@return the name of the sandbox's nft table, {@link #TABLE_PREFIX} and a suffix} */
    public String table() {
        return table;
    }

    /** {@return the script that creates the table; applied atomically by one {@code nft -f -}} */
    public String create() {
        StringBuilder s = new StringBuilder();
        s.append("table inet ").append(table).append(" {\n");
        for (String set : List.of("a4 { type ipv4_addr", "a4p { type ipv4_addr . inet_service",
                "a6 { type ipv6_addr", "a6p { type ipv6_addr . inet_service", "d4p { type ipv4_addr . inet_service",
                "d6p { type ipv6_addr . inet_service")) {
            s.append("  set ").append(set).append("; flags timeout; }\n");
        }
        s.append("  set ack { type inet_service; flags timeout; }\n");
        if (heartbeat) {
            s.append("  set alive { type inet_proto; flags timeout; }\n");
        }
        s.append("  counter dropped_egress { }\n");
        s.append("  counter dropped_host { }\n");
        s.append("  counter dropped_dns_flood { }\n");
        s.append("  ct timeout dns_udp {\n    protocol udp\n    l3proto ip\n    policy = { unreplied : ")
                .append(DNS_CONNTRACK_SECONDS).append(", replied : ").append(DNS_CONNTRACK_SECONDS).append(" }\n  }\n");
        String dns = dnsAddress.getHostAddress();
        s.append("  chain dns_guard {\n");
        s.append("    type filter hook output priority raw; policy accept;\n");
        s.append("    oif \"lo\" accept\n");
        s.append("    udp dport 53 limit rate over ").append(DNS_PACKETS_PER_SECOND).append("/second burst ")
                .append(2 * DNS_PACKETS_PER_SECOND).append(" packets counter name dropped_dns_flood drop\n");
        s.append("    tcp dport 53 tcp flags & (syn | ack) == syn limit rate over ").append(DNS_CONNECTIONS_PER_SECOND)
                .append("/second burst ").append(2 * DNS_CONNECTIONS_PER_SECOND)
                .append(" packets counter name dropped_dns_flood drop\n");
        s.append("    udp dport 53 ct timeout set \"dns_udp\"\n");
        s.append("  }\n");
        s.append("  chain dns_redirect {\n");
        s.append("    type nat hook output priority -110; policy accept;\n");
        s.append("    oif \"lo\" return\n");
        if (upstreamMark != 0) {
            for (String m : markedMatches()) {
                s.append("    ").append(m).append(" return\n");
            }
        }
        s.append("    meta nfproto ipv4 udp dport 53 dnat ip to ").append(dns).append(':').append(dnsPort).append('\n');
        s.append("    meta nfproto ipv4 tcp dport 53 dnat ip to ").append(dns).append(':').append(dnsPort).append('\n');
        s.append("  }\n");
        s.append("  chain output {\n");
        s.append("    type filter hook output priority filter - 10; policy drop;\n");
        s.append("    oif \"lo\" accept\n");
        s.append("    ct direction reply accept\n");
        if (upstreamMark != 0) {
            for (String m : markedMatches()) {
                s.append("    ").append(m).append(" accept\n");
            }
        }
        s.append("    ip daddr ").append(dns).append(" udp dport ").append(dnsPort).append(" ct status dnat accept\n");
        s.append("    ip daddr ").append(dns).append(" tcp dport ").append(dnsPort).append(" ct status dnat accept\n");
        s.append("    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept\n");
        constantMatch(s, hostNetworks, "jump deny_host");
        for (CidrRule c : cidrs) {
            if (!c.allow()) {
                s.append(cidrMatch(c, "meta l4proto { tcp, udp, udplite, sctp, dccp } th")).append(" jump deny_egress\n");
            }
        }
        constantMatch(s, ForbiddenAddresses.METADATA.stream().filter(m -> !namedByAllowCidr(m)).toList(),
                "jump deny_egress");
        if (!defaultAllow) {
            s.append("    tcp dport 853 jump deny_egress\n");
            s.append("    meta l4proto != tcp jump deny_egress\n");
        }
        s.append("    meta l4proto { tcp, udp, udplite, sctp, dccp } ip daddr . th dport @d4p jump deny_egress\n");
        s.append("    meta l4proto { tcp, udp, udplite, sctp, dccp } ip6 daddr . th dport @d6p jump deny_egress\n");
        for (CidrRule c : cidrs) {
            if (c.allow()) {
                s.append(cidrMatch(c, "tcp")).append(" accept\n");
            }
        }
        constantMatch(s, ForbiddenAddresses.IPV4, "jump deny_egress");
        constantMatch(s, ForbiddenAddresses.IPV6, "jump deny_egress");
        if (defaultAllow) {
            s.append("    accept\n");
        } else {
            String alive = heartbeat ? "meta l4proto @alive " : "";
            s.append("    ").append(alive).append("ip daddr @a4 accept\n");
            s.append("    ").append(alive).append("ip daddr . tcp dport @a4p accept\n");
            s.append("    ").append(alive).append("ip6 daddr @a6 accept\n");
            s.append("    ").append(alive).append("ip6 daddr . tcp dport @a6p accept\n");
            s.append("    jump deny_egress\n");
        }
        s.append("  }\n");
        for (String[] deny : List.of(new String[] {"deny_egress", "dropped_egress"},
                new String[] {"deny_host", "dropped_host"})) {
            s.append("  chain ").append(deny[0]).append(" {\n");
            s.append("    counter name ").append(deny[1]).append('\n');
            s.append("    meta l4proto tcp reject with tcp reset\n");
            s.append("    reject with icmpx admin-prohibited\n");
            s.append("  }\n");
        }
        s.append("  chain input {\n");
        s.append("    type filter hook input priority filter - 10; policy drop;\n");
        s.append("    iif \"lo\" accept\n");
        s.append("    ct state established,related accept\n");
        s.append("    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept\n");
        for (String proto : List.of("tcp", "udp")) {
            String ports = inbound.stream().filter(i -> i.protocol().equals(proto)).map(i -> String.valueOf(i.port()))
                    .distinct().collect(Collectors.joining(", "));
            if (!ports.isEmpty()) {
                s.append("    ").append(proto).append(" dport { ").append(ports).append(" } accept\n");
            }
        }
        s.append("  }\n");
        s.append("}\n");
        return s.toString();
    }

    private boolean namedByAllowCidr(Cidr metadata) {
        String single = literal(metadata);
        return cidrs.stream().anyMatch(c -> c.allow() && c.ports().isEmpty() && c.cidr().equalsIgnoreCase(single));
    }

    private static boolean v6(Cidr c) {
        return c.network() instanceof Inet6Address;
    }

    /**
     * Rules matching fixed networks, one per family, with the networks written into the rule (an anonymous set):
     * so they show in {@code nft -t list ruleset}, which the health check compares, and overlaps merge. Nothing
     * for an empty list.
     */
    private static void constantMatch(StringBuilder s, List<Cidr> networks, String verdict) {
        for (boolean ipv6 : new boolean[] {false, true}) {
            List<Cidr> family = networks.stream().filter(c -> v6(c) == ipv6).toList();
            if (!family.isEmpty()) {
                s.append("    ").append(ipv6 ? "ip6" : "ip").append(" daddr { ")
                        .append(family.stream().map(NftRuleset::literal).collect(Collectors.joining(", ")))
                        .append(" } ").append(verdict).append('\n');
            }
        }
    }

    /** A network as nft reads it; IPv6 in Java's full form, which nft accepts. */
    static String literal(Cidr c) {
        String ip = c.network().getHostAddress();
        int zone = ip.indexOf('%');
        return (zone >= 0 ? ip.substring(0, zone) : ip) + "/" + c.prefixLength();
    }

    private static String cidrMatch(CidrRule c, String portMatch) {
        StringBuilder s = new StringBuilder("    ").append(c.ipv6() ? "ip6" : "ip").append(" daddr ").append(c.cidr());
        if (!c.ports().isEmpty()) {
            s.append(' ').append(portMatch).append(" dport { ").append(c.ports().stream().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append(" }");
        }
        return s.toString();
    }

    /**
     * A table that drops every packet into and out of the namespace, ahead of every other rule: what a health
     * check loads when the sandbox's own table is missing or was changed.
     *
     * @return the script that creates {@link #CUT_OFF_TABLE}
     */
    public static String cutOff() {
        return "table inet " + CUT_OFF_TABLE + " {\n"
                + "  chain output {\n    type filter hook output priority -400; policy drop;\n  }\n"
                + "  chain input {\n    type filter hook input priority -400; policy drop;\n  }\n"
                + "}\n";
    }

    /**
     * A command that always changes the ruleset (a short-lived element in the {@code ack} set): nft confirms a
     * transaction only when it changes something, and re-adding an address that is already in a set changes
     * nothing. Prefixed to every update so each one gets its confirmation. {@code seq} must differ between
     * updates less than a second apart.
     *
     * @param seq a number that differs from that of the previous update
     * @return the nft command
     */
    public String ack(int seq) {
        return "add element inet " + table + " ack { " + (seq & 0xFFFF) + " timeout 1s };";
    }

    /** {@return the command that removes the table and everything in it} */
    public String delete() {
        return "delete table inet " + table + "\n";
    }

    /**
     * One command that adds learned addresses, any TCP port when {@code ports} is empty. Addresses are written
     * from {@link InetAddress} objects, never from text a workload supplied, so nft never resolves a name.
     *
     * @param addresses the addresses to allow; IPv4 and IPv6 go to their own sets
     * @param ports     the TCP ports allowed to them; empty for every port
     * @param timeout   how long the elements live; rounded down to whole seconds, at least 1
     * @return the nft command
     */
    public String addElements(List<InetAddress> addresses, List<Integer> ports, Duration timeout) {
        return elements(addresses, ports, timeout, ports.isEmpty() ? "" : "p");
    }

    /**
     * One command that forbids the given ports of learned addresses (for "every port except" rules).
     *
     * @param addresses the addresses
     * @param ports     the TCP ports to forbid; not empty
     * @param timeout   how long the elements live; rounded down to whole seconds, at least 1
     * @return the nft command
     * @throws IllegalArgumentException if {@code ports} is empty
     */
    public String denyPorts(List<InetAddress> addresses, List<Integer> ports, Duration timeout) {
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("no ports to deny");
        }
        return elements(addresses, ports, timeout, "dp");
    }

    private String elements(List<InetAddress> addresses, List<Integer> ports, Duration timeout, String kind) {
        long seconds = Math.max(1, timeout.toSeconds());
        StringBuilder v4 = new StringBuilder();
        StringBuilder v6 = new StringBuilder();
        for (InetAddress a : addresses) {
            StringBuilder sb = a instanceof Inet6Address ? v6 : v4;
            String ip = a.getHostAddress();
            int zone = ip.indexOf('%');
            if (zone >= 0) {
                ip = ip.substring(0, zone);
            }
            if (ports.isEmpty()) {
                append(sb, ip + " timeout " + seconds + "s");
            } else {
                for (int p : ports) {
                    append(sb, ip + " . " + p + " timeout " + seconds + "s");
                }
            }
        }
        String v4set = kind.equals("dp") ? "d4p" : "a4" + kind;
        String v6set = kind.equals("dp") ? "d6p" : "a6" + kind;
        StringBuilder cmd = new StringBuilder();
        if (v4.length() > 0) {
            cmd.append("add element inet ").append(table).append(' ').append(v4set).append(" { ").append(v4).append(" }; ");
        }
        if (v6.length() > 0) {
            cmd.append("add element inet ").append(table).append(' ').append(v6set).append(" { ").append(v6).append(" }; ");
        }
        return cmd.toString().strip();
    }

    /**
     * The set a learned address goes into: any port, listed ports, or denied ports ({@code deny}).
     *
     * @param address   the address, whose family picks the IPv4 or IPv6 set
     * @param withPorts whether the element carries a port
     * @param deny      whether it is a denied port (then {@code withPorts} is implied)
     * @return the set's name, such as {@code a4}, {@code a6p} or {@code d4p}
     */
    public static String setFor(InetAddress address, boolean withPorts, boolean deny) {
        String family = address instanceof Inet6Address ? "6" : "4";
        return deny ? "d" + family + "p" : "a" + family + (withPorts ? "p" : "");
    }

    /**
     * The element key of an address, with a port when {@code port > 0}; never text the workload supplied.
     *
     * @param address the address; an IPv6 zone is left out
     * @param port    the port, or 0 for none
     * @return the key, such as {@code 192.0.2.1 . 443}
     */
    public static String key(InetAddress address, int port) {
        String ip = address.getHostAddress();
        int zone = ip.indexOf('%');
        if (zone >= 0) {
            ip = ip.substring(0, zone);
        }
        return port > 0 ? ip + " . " + port : ip;
    }

    /**
     * One command that gives elements of one set the timeout {@code timeout}, whether they exist or not: add
     * (creates the missing), delete, add again, in one transaction, so an existing element's timeout is set
     * atomically (never deleted in one transaction and re-added in another) on kernels that ignore a timeout on
     * re-add as well as on those that apply it.
     *
     * @param set     one of the learned sets ({@code a4}, {@code a4p}, {@code a6}, {@code a6p}, {@code d4p},
     *                {@code d6p})
     * @param keys    element keys as {@link #key(InetAddress, int)} writes them; not empty
     * @param timeout the new timeout
     * @return the nft command
     * @throws IllegalArgumentException if {@code set} is not a learned set or {@code keys} is empty
     */
    public String refresh(String set, List<String> keys, Duration timeout) {
        if (!List.of("a4", "a4p", "a6", "a6p", "d4p", "d6p").contains(set)) {
            throw new IllegalArgumentException("not a learned set: " + set);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no elements");
        }
        long seconds = Math.max(1, timeout.toSeconds());
        String timed = keys.stream().map(k -> k + " timeout " + seconds + "s").collect(Collectors.joining(", "));
        String prefix = " element inet " + table + " " + set + " { ";
        return "add" + prefix + timed + " }; delete" + prefix + String.join(", ", keys) + " }; add" + prefix + timed
                + " };";
    }

    private static void append(StringBuilder sb, String element) {
        if (sb.length() > 0) {
            sb.append(", ");
        }
        sb.append(element);
    }

    /**
     * Script that empties every learned set (revokes every learned address at once); for
     * {@link NftShell#applyScript}, since nft confirms no generation for a flush in interactive mode.
     *
     * @return the script
     */
    public String flushLearned() {
        StringBuilder sb = new StringBuilder();
        for (String set : List.of("a4", "a4p", "a6", "a6p", "d4p", "d6p")) {
            sb.append("flush set inet ").append(table).append(' ').append(set).append('\n');
        }
        return sb.toString();
    }

    /** {@return the command whose output holds the dropped-packet counters} */
    public String listCounters() {
        return "list counters table inet " + table;
    }
}
