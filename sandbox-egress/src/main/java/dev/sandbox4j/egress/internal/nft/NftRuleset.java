package dev.sandbox4j.egress.internal.nft;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The nftables rules that police one sandbox, as text for {@code nft -f -}. Pure: no I/O. Everything is keyed
 * on the sandbox's own bridge interface (not on source addresses, which the workload could forge), lives in
 * one table per sandbox (so removal is one {@code delete table}), and denies by default:
 * <ul>
 *   <li>every port-53 packet (UDP and TCP, any destination) from the sandbox is redirected to its DNS
 *       interceptor on the gateway address, so the host needs no port-53 listener;</li>
 *   <li>CIDR deny rules come first and beat learned addresses;</li>
 *   <li>only TCP leaves the sandbox, and only to addresses the interceptor learned ({@code a4}/{@code a4p} sets,
 *       with timeouts) or that a CIDR rule allows; DoT (853) never; everything else is rejected, TCP with a
 *       reset so a denied connect fails at once;</li>
 *   <li>the host itself (including the gateway) answers only the redirected DNS;</li>
 *   <li>nothing reaches the sandbox unless it is a reply or a published port.</li>
 * </ul>
 * Each packet is checked against the sets, not just new connections, so an address removed from a set (by
 * timeout or revocation) stops its established flows too.
 */
public final class NftRuleset {
    /** Prefix of every table Sandbox4j creates. */
    public static final String TABLE_PREFIX = "sandbox4j_";
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern TABLE = Pattern.compile(TABLE_PREFIX + "[a-z0-9_]{1,40}");

    /** A static rule from a CIDR rule of the policy; empty ports means any TCP port. */
    public record CidrRule(boolean allow, String cidr, boolean ipv6, List<Integer> ports) {
        public CidrRule {
            ports = List.copyOf(ports);
            if (!cidr.matches("[0-9a-fA-F:.]+/[0-9]{1,3}")) {
                throw new IllegalArgumentException("not a CIDR: " + cidr);
            }
        }
    }

    private final String table;
    private final String iface;
    private final InetAddress gateway;
    private final int dnsPort;
    private final List<CidrRule> cidrs;
    private final boolean defaultAllow;

    /** A deny-by-default ruleset. */
    public NftRuleset(String table, String iface, InetAddress gateway, int dnsPort, List<CidrRule> cidrs) {
        this(table, iface, gateway, dnsPort, cidrs, false);
    }

    /**
     * A ruleset; with {@code defaultAllow} (a policy like {@code allowAll().deny(...)}) traffic that no CIDR rule
     * denies leaves the sandbox, and name rules act through DNS only. The host, link-local and metadata
     * addresses and other sandboxes stay unreachable either way.
     */
    public NftRuleset(String table, String iface, InetAddress gateway, int dnsPort, List<CidrRule> cidrs,
                      boolean defaultAllow) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("table name " + table + " must match " + TABLE.pattern());
        }
        if (!SAFE_NAME.matcher(iface).matches()) {
            throw new IllegalArgumentException("interface name \"" + iface + "\" is not a valid Linux interface name");
        }
        if (gateway instanceof Inet6Address) {
            throw new IllegalArgumentException("gateway must be IPv4: " + gateway);
        }
        this.table = table;
        this.iface = iface;
        this.gateway = gateway;
        this.dnsPort = dnsPort;
        this.cidrs = List.copyOf(cidrs);
        this.defaultAllow = defaultAllow;
    }

    public String table() {
        return table;
    }

    /** The script that creates the table; applied atomically by one {@code nft -f -}. */
    public String create() {
        StringBuilder s = new StringBuilder();
        s.append("table inet ").append(table).append(" {\n");
        s.append("  set a4 { type ipv4_addr; flags timeout; }\n");
        s.append("  set a4p { type ipv4_addr . inet_service; flags timeout; }\n");
        s.append("  set a6 { type ipv6_addr; flags timeout; }\n");
        s.append("  set a6p { type ipv6_addr . inet_service; flags timeout; }\n");
        s.append("  set d4p { type ipv4_addr . inet_service; flags timeout; }\n");
        s.append("  set d6p { type ipv6_addr . inet_service; flags timeout; }\n");
        s.append("  set ack { type inet_service; flags timeout; }\n");
        s.append("  counter dropped_egress { }\n");
        s.append("  counter dropped_host { }\n");
        s.append("  chain prerouting {\n");
        s.append("    type nat hook prerouting priority dstnat - 10; policy accept;\n");
        s.append("    iifname \"").append(iface).append("\" udp dport 53 redirect to :").append(dnsPort).append('\n');
        s.append("    iifname \"").append(iface).append("\" tcp dport 53 redirect to :").append(dnsPort).append('\n');
        s.append("  }\n");
        s.append("  chain forward {\n");
        s.append("    type filter hook forward priority filter - 10; policy accept;\n");
        s.append("    iifname \"").append(iface).append("\" jump from_sandbox\n");
        s.append("    oifname \"").append(iface).append("\" jump to_sandbox\n");
        s.append("  }\n");
        s.append("  chain from_sandbox {\n");
        s.append("    ct direction reply accept\n");
        s.append("    oifname \"podman*\" jump deny_egress\n");
        s.append("    ip daddr 169.254.0.0/16 jump deny_egress\n");
        s.append("    ip6 daddr fe80::/10 jump deny_egress\n");
        s.append("    ip6 daddr fd00:ec2::254 jump deny_egress\n");
        for (CidrRule c : cidrs) {
            if (!c.allow()) {
                s.append(cidrMatch(c)).append(" jump deny_egress\n");
            }
        }
        if (defaultAllow) {
            s.append("    accept\n");
            s.append("  }\n");
        } else {
            denyByDefault(s);
        }
        hostAndInbound(s);
        return s.toString();
    }

    private void denyByDefault(StringBuilder s) {
        s.append("    tcp dport 853 jump deny_egress\n");
        s.append("    meta l4proto != tcp jump deny_egress\n");
        s.append("    ip daddr . tcp dport @d4p jump deny_egress\n");
        s.append("    ip6 daddr . tcp dport @d6p jump deny_egress\n");
        s.append("    ip daddr @a4 accept\n");
        s.append("    ip daddr . tcp dport @a4p accept\n");
        s.append("    ip6 daddr @a6 accept\n");
        s.append("    ip6 daddr . tcp dport @a6p accept\n");
        for (CidrRule c : cidrs) {
            if (c.allow()) {
                s.append(cidrMatch(c)).append(" accept\n");
            }
        }
        s.append("    jump deny_egress\n");
        s.append("  }\n");
    }

    private void hostAndInbound(StringBuilder s) {
        String gw = gateway.getHostAddress();
        s.append("  chain deny_egress {\n");
        s.append("    counter name dropped_egress\n");
        s.append("    meta l4proto tcp reject with tcp reset\n");
        s.append("    reject with icmpx admin-prohibited\n");
        s.append("  }\n");
        s.append("  chain to_sandbox {\n");
        s.append("    ct direction reply accept\n");
        s.append("    ct status dnat accept\n");
        s.append("    drop\n");
        s.append("  }\n");
        s.append("  chain input {\n");
        s.append("    type filter hook input priority filter - 10; policy accept;\n");
        s.append("    iifname \"").append(iface).append("\" jump sandbox_to_host\n");
        s.append("    iifname != \"").append(iface).append("\" udp dport ").append(dnsPort).append(" drop\n");
        s.append("    iifname != \"").append(iface).append("\" tcp dport ").append(dnsPort).append(" drop\n");
        s.append("  }\n");
        s.append("  chain sandbox_to_host {\n");
        s.append("    ct direction reply accept\n");
        s.append("    ip daddr ").append(gw).append(" udp dport ").append(dnsPort).append(" ct status dnat accept\n");
        s.append("    ip daddr ").append(gw).append(" tcp dport ").append(dnsPort).append(" ct status dnat accept\n");
        s.append("    counter name dropped_host\n");
        s.append("    meta l4proto tcp reject with tcp reset\n");
        s.append("    reject with icmpx admin-prohibited\n");
        s.append("  }\n");
        s.append("}\n");
    }

    private static String cidrMatch(CidrRule c) {
        StringBuilder s = new StringBuilder("    ").append(c.ipv6() ? "ip6" : "ip").append(" daddr ").append(c.cidr());
        if (!c.ports().isEmpty()) {
            s.append(" tcp dport { ").append(c.ports().stream().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append(" }");
        }
        return s.toString();
    }

    /**
     * A command that always changes the ruleset (a short-lived element in the {@code ack} set): nft confirms a
     * transaction only when it changes something, and re-adding an address that is already in a set changes
     * nothing. Prefixed to every update so each one gets its confirmation. {@code seq} must differ between
     * updates less than a second apart.
     */
    public String ack(int seq) {
        return "add element inet " + table + " ack { " + (seq & 0xFFFF) + " timeout 1s };";
    }

    /** Removes the table and everything in it. */
    public String delete() {
        return "delete table inet " + table + "\n";
    }

    /**
     * One command that adds learned addresses, any TCP port when {@code ports} is empty. Addresses are written
     * from {@link InetAddress} objects, never from text a workload supplied, so nft never resolves a name.
     */
    public String addElements(List<InetAddress> addresses, List<Integer> ports, Duration timeout) {
        return elements(addresses, ports, timeout, ports.isEmpty() ? "" : "p");
    }

    /** One command that forbids the given ports of learned addresses (for "every port except" rules). */
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

    private static void append(StringBuilder sb, String element) {
        if (sb.length() > 0) {
            sb.append(", ");
        }
        sb.append(element);
    }

    /**
     * Script that empties every learned set (revokes every learned address at once); for
     * {@link NftShell#applyScript}, since nft confirms no generation for a flush in interactive mode.
     */
    public String flushLearned() {
        StringBuilder sb = new StringBuilder();
        for (String set : List.of("a4", "a4p", "a6", "a6p", "d4p", "d6p")) {
            sb.append("flush set inet ").append(table).append(' ').append(set).append('\n');
        }
        return sb.toString();
    }

    /** Command whose output holds the dropped-packet counters. */
    public String listCounters() {
        return "list counters table inet " + table;
    }
}
