package dev.sandbox4j.egress;

import dev.sandbox4j.SandboxConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Where a sandbox may connect: an ordered list of rules, a default, and the DNS upstreams its interceptor asks.
 * Immutable; every method that changes something returns a new policy.
 *
 * <pre>{@code
 * EgressPolicy policy = EgressPolicy.denyAll()
 *         .deny("uploads.example.com")          // first match wins: put exceptions first
 *         .allow("*.example.com", 443)           // exactly one label, port 443 only
 *         .allow("**.pythonhosted.org")          // any depth; never the apex
 *         .allowCidr("203.0.113.0/24", 80, 443); // addresses, not names
 * }</pre>
 *
 * <p>Host patterns: {@code example.com} is exact; {@code *.example.com} is exactly one label below;
 * {@code **.example.com} is any depth below; neither wildcard matches {@code example.com} itself. Names compare
 * case-insensitively, label by label, as lowercase A-labels; one trailing dot is ignored. Rules are checked in
 * order and the first that matches decides; when none matches, the default does.
 *
 * <p>The text form ({@link #toString()}, {@link #parse(String)}) is one rule per line, plus {@code default allow}
 * or {@code default deny} and {@code upstream 127.0.0.1:53} lines.
 */
public final class EgressPolicy {
    private static final EgressPolicy ALLOW_ALL = new EgressPolicy(true, List.of(), List.of());
    private static final EgressPolicy DENY_ALL = new EgressPolicy(false, List.of(), List.of());

    /** The policy a sandbox gets when none is set: {@link #denyAll()} (secure by default). */
    public static final EgressPolicy DEFAULT = DENY_ALL;

    private final boolean defaultAllow;
    private final List<EgressRule> rules;
    private final List<InetSocketAddress> upstreams;

    private EgressPolicy(boolean defaultAllow, List<EgressRule> rules, List<InetSocketAddress> upstreams) {
        this.defaultAllow = defaultAllow;
        this.rules = List.copyOf(rules);
        this.upstreams = List.copyOf(upstreams);
    }

    /**
     * No destination is reachable until a rule allows it.
     *
     * @return the policy with no rules and a denying default
     */
    public static EgressPolicy denyAll() {
        return DENY_ALL;
    }

    /**
     * Every destination is reachable unless a rule denies it.
     *
     * @return the policy with no rules and an allowing default
     */
    public static EgressPolicy allowAll() {
        return ALLOW_ALL;
    }

    /**
     * Whether this policy allows everything (default allow and no rules), so nothing needs enforcing.
     *
     * @return {@code true} for {@link #allowAll()} without rules
     */
    public boolean allowsEverything() {
        return defaultAllow && rules.isEmpty();
    }

    /**
     * Whether destinations no rule matches are allowed.
     *
     * @return {@code true} when the default allows
     */
    public boolean defaultAllows() {
        return defaultAllow;
    }

    /**
     * The rules, in the order they are checked.
     *
     * @return the rules; empty when there are none
     */
    public List<EgressRule> rules() {
        return rules;
    }

    /**
     * DNS servers the interceptor re-originates queries to, tried in order; empty means the host's resolvers.
     *
     * @return the upstreams; empty means the host's resolvers
     */
    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /**
     * Allows a host pattern on every port. See the class comment for the grammar.
     *
     * @param hostPattern {@code example.com}, {@code *.example.com} or {@code **.example.com}
     * @return a new policy with the rule appended
     * @throws dev.sandbox4j.SandboxConfigException for a pattern {@link HostPattern#parse(String)} rejects
     */
    public EgressPolicy allow(String hostPattern) {
        return with(new EgressRule.HostRule(EgressRule.Action.ALLOW, HostPattern.parse(hostPattern), List.of()));
    }

    /**
     * Allows a host pattern on the given ports only.
     *
     * @param hostPattern {@code example.com}, {@code *.example.com} or {@code **.example.com}
     * @param ports       1..65535; none means every port
     * @return a new policy with the rule appended
     */
    public EgressPolicy allow(String hostPattern, int... ports) {
        return with(new EgressRule.HostRule(EgressRule.Action.ALLOW, HostPattern.parse(hostPattern),
                portList(ports)));
    }

    /**
     * Denies a host pattern: its names get NXDOMAIN and are never asked upstream.
     *
     * @param hostPattern {@code example.com}, {@code *.example.com} or {@code **.example.com}
     * @return a new policy with the rule appended
     */
    public EgressPolicy deny(String hostPattern) {
        return with(new EgressRule.HostRule(EgressRule.Action.DENY, HostPattern.parse(hostPattern), List.of()));
    }

    /**
     * Denies a host pattern on the given ports only (its names still resolve).
     *
     * @param hostPattern {@code example.com}, {@code *.example.com} or {@code **.example.com}
     * @param ports       1..65535; none means every port
     * @return a new policy with the rule appended
     */
    public EgressPolicy deny(String hostPattern, int... ports) {
        return with(new EgressRule.HostRule(EgressRule.Action.DENY, HostPattern.parse(hostPattern),
                portList(ports)));
    }

    /**
     * Allows an address range, such as {@code 203.0.113.0/24}, on every port (no ports given) or on the given ones.
     *
     * @param cidr  a network such as {@code 203.0.113.0/24}, or one address
     * @param ports 1..65535; none means every port
     * @return a new policy with the rule appended
     */
    public EgressPolicy allowCidr(String cidr, int... ports) {
        return with(new EgressRule.CidrRule(EgressRule.Action.ALLOW, Cidr.parse(cidr), portList(ports)));
    }

    /**
     * Denies an address range on every port or on the given ones.
     *
     * @param cidr  a network such as {@code 198.51.100.0/24}, or one address
     * @param ports 1..65535; none means every port
     * @return a new policy with the rule appended
     */
    public EgressPolicy denyCidr(String cidr, int... ports) {
        return with(new EgressRule.CidrRule(EgressRule.Action.DENY, Cidr.parse(cidr), portList(ports)));
    }

    /**
     * Appends a rule (checked after the existing ones).
     *
     * @param rule the rule, such as one from {@link #parseRule(String)}
     * @return a new policy with the rule appended
     */
    public EgressPolicy with(EgressRule rule) {
        if (rule == null) {
            throw new SandboxConfigException("an egress rule must not be null");
        }
        List<EgressRule> next = new ArrayList<>(rules);
        next.add(rule);
        return new EgressPolicy(defaultAllow, next, upstreams);
    }

    /**
     * Appends a DNS upstream (tried in the order added). It must be an IP literal with a port, such as
     * {@code new InetSocketAddress("127.0.0.1", 5353)}: an unresolved name would need DNS to find DNS.
     *
     * @param upstream a resolved address with a port
     * @return a new policy with the upstream appended
     */
    public EgressPolicy withUpstream(InetSocketAddress upstream) {
        if (upstream == null || upstream.isUnresolved() || upstream.getPort() == 0) {
            throw new SandboxConfigException("DNS upstream " + upstream + " must be an IP address with a port, such"
                    + " as new InetSocketAddress(\"127.0.0.1\", 53)");
        }
        List<InetSocketAddress> next = new ArrayList<>(upstreams);
        next.add(upstream);
        return new EgressPolicy(defaultAllow, rules, next);
    }

    /**
     * Parses one rule in the text form of {@link EgressRule}, such as {@code allow *.example.com:443}.
     *
     * @param text one rule, such as {@code allow *.example.com:443}
     * @return the rule; its {@code toString()} is the canonical form
     * @throws dev.sandbox4j.SandboxConfigException naming the rule and how to write it
     */
    public static EgressRule parseRule(String text) {
        return EgressRule.parse(text);
    }

    /**
     * Parses a whole policy in the form {@link #toString()} writes: optional {@code default allow|deny} (default
     * deny) before the rules, the rules in order (the grammar of {@link EgressRule}), {@code upstream} lines in the
     * form of {@link #parseUpstream(String)}; {@code #} starts a comment.
     *
     * @param text the policy, one entry per line
     * @return the policy; equal to the one whose {@code toString()} gave the text
     * @throws SandboxConfigException naming the line and how to fix it
     */
    public static EgressPolicy parse(String text) {
        EgressPolicy policy = denyAll();
        boolean sawDefault = false;
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            int hash = raw.indexOf('#');
            String line = (hash < 0 ? raw : raw.substring(0, hash)).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+", 2);
            String keyword = words[0].toLowerCase(Locale.ROOT);
            String rest = words.length < 2 ? "" : words[1];
            try {
                if (keyword.equals("default")) {
                    if (sawDefault || !policy.rules.isEmpty()) {
                        throw new SandboxConfigException("'default' must come once, before the rules");
                    }
                    String d = rest.toLowerCase(Locale.ROOT);
                    if (!d.equals("allow") && !d.equals("deny")) {
                        throw new SandboxConfigException("write 'default allow' or 'default deny'");
                    }
                    sawDefault = true;
                    policy = new EgressPolicy(d.equals("allow"), policy.rules, policy.upstreams);
                } else if (keyword.equals("upstream")) {
                    policy = policy.withUpstream(parseUpstream(rest));
                } else {
                    policy = policy.with(EgressRule.parse(line));
                }
            } catch (SandboxConfigException e) {
                throw new SandboxConfigException("egress policy line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return policy;
    }

    /**
     * Parses a DNS upstream in the text form of policies and configuration files: {@code 127.0.0.1:5353},
     * {@code [2001:db8::53]:53}, or an address alone ({@code 192.0.2.1}, {@code 2001:db8::53}) for port 53. Only IP
     * literals: a host name would need DNS to find DNS.
     *
     * @param text the upstream as written
     * @return the resolved socket address (no lookup happens)
     * @throws SandboxConfigException when it is not an IP literal with an optional port 1..65535
     */
    public static InetSocketAddress parseUpstream(String text) {
        return EgressText.parseUpstream(text);
    }

    /**
     * The text form of a DNS upstream that {@link #parseUpstream(String)} reads back, always with its port:
     * {@code 127.0.0.1:5353}, {@code [0:0:0:0:0:0:0:1]:53}.
     *
     * @param upstream a resolved address with a port
     * @return its text form
     */
    public static String formatUpstream(InetSocketAddress upstream) {
        return EgressText.printUpstream(upstream);
    }

    /**
     * Whether the host's name may be resolved (and so reached on some port): the first rule whose pattern matches
     * decides, except that a deny rule limited to ports does not stop resolution. Invalid names (non-LDH bytes,
     * empty or overlong labels) are denied. Never uses DNS or reverse lookups.
     *
     * @param host a host name; Unicode is converted to A-labels
     * @return the decision, with the deciding rule and a reason
     */
    public EgressDecision decide(String host) {
        return decideHost(host, h -> h.action() == EgressRule.Action.ALLOW || h.ports().isEmpty(), "");
    }

    /**
     * Whether the host may be reached on the port: the first host rule matching both the name and port decides.
     *
     * @param host a host name; Unicode is converted to A-labels
     * @param port the destination port
     * @return the decision, with the deciding rule and a reason
     */
    public EgressDecision decide(String host, int port) {
        return decideHost(host, h -> h.coversPort(port), ":" + port);
    }

    /**
     * The first host rule whose pattern matches the name and that {@code applies} decides; invalid names are
     * denied. {@code suffix} follows the name in the reason.
     */
    private EgressDecision decideHost(String host, Predicate<EgressRule.HostRule> applies, String suffix) {
        List<String> labels;
        try {
            labels = Names.labels(host);
        } catch (Names.InvalidNameException e) {
            return new EgressDecision(false, EgressDecision.DEFAULT_RULE, "invalid host name: " + e.getMessage());
        }
        for (EgressRule rule : rules) {
            if (rule instanceof EgressRule.HostRule h && h.pattern().matches(labels) && applies.test(h)) {
                return ruleDecision(h, Names.shorten(String.join(".", labels)) + suffix);
            }
        }
        return defaultDecision(String.join(".", labels) + suffix);
    }

    /**
     * Whether DNS answers may carry this address as far as CIDR rules go: the first CIDR rule containing it
     * decides, except that a deny rule limited to ports does not. Host rules never apply to addresses.
     *
     * @param address an address from a DNS answer
     * @return the decision, with the deciding rule and a reason
     */
    public EgressDecision decide(InetAddress address) {
        for (EgressRule rule : rules) {
            if (rule instanceof EgressRule.CidrRule c && c.cidr().contains(address)
                    && (c.action() == EgressRule.Action.ALLOW || c.ports().isEmpty())) {
                return ruleDecision(c, address.getHostAddress());
            }
        }
        return defaultDecision(address.getHostAddress());
    }

    /**
     * Whether a connection to the address and port is allowed by CIDR rules (IP literals). Addresses learned from
     * allowed DNS answers are tracked by the interceptor, not here; host rules never match an address.
     *
     * @param address the destination address
     * @param port    the destination port
     * @return the decision, with the deciding rule and a reason
     */
    public EgressDecision decide(InetAddress address, int port) {
        for (EgressRule rule : rules) {
            if (rule instanceof EgressRule.CidrRule c && c.cidr().contains(address) && c.coversPort(port)) {
                return ruleDecision(c, address.getHostAddress() + ":" + port);
            }
        }
        return defaultDecision(address.getHostAddress() + ":" + port);
    }

    /**
     * Shorthand for {@code decide(address, port).allowed()}.
     *
     * @param address the destination address
     * @param port    the destination port
     * @return whether the connection is allowed
     */
    public boolean isAllowed(InetAddress address, int port) {
        return decide(address, port).allowed();
    }

    /**
     * Shorthand for {@code decide(host, port).allowed()}.
     *
     * @param host a host name
     * @param port the destination port
     * @return whether the connection is allowed
     */
    public boolean isAllowed(String host, int port) {
        return decide(host, port).allowed();
    }

    /**
     * The ports the host may be reached on, folding the matching host rules in order: what an enforcer programs
     * for the addresses learned for this name. Invalid names get {@link AllowedPorts#NONE}.
     *
     * @param host a host name
     * @return the ports, as every port but some or only some
     */
    public AllowedPorts allowedPorts(String host) {
        List<String> labels;
        try {
            labels = Names.labels(host);
        } catch (Names.InvalidNameException e) {
            return AllowedPorts.NONE;
        }
        TreeSet<Integer> allowed = new TreeSet<>();
        TreeSet<Integer> denied = new TreeSet<>();
        for (EgressRule rule : rules) {
            if (!(rule instanceof EgressRule.HostRule h) || !h.pattern().matches(labels)) {
                continue;
            }
            boolean allow = h.action() == EgressRule.Action.ALLOW;
            if (h.ports().isEmpty()) {
                // every port not decided yet gets this rule's action
                return allow ? new AllowedPorts(true, List.copyOf(denied)) : new AllowedPorts(false, List.copyOf(allowed));
            }
            for (int p : h.ports()) {
                if (!allowed.contains(p) && !denied.contains(p)) {
                    (allow ? allowed : denied).add(p);
                }
            }
        }
        return defaultAllow ? new AllowedPorts(true, List.copyOf(denied)) : new AllowedPorts(false, List.copyOf(allowed));
    }

    private static EgressDecision ruleDecision(EgressRule rule, String target) {
        boolean allow = rule.action() == EgressRule.Action.ALLOW;
        return new EgressDecision(allow, rule.toString(), target + (allow ? " is allowed by '" : " is denied by '")
                + rule + "'");
    }

    private EgressDecision defaultDecision(String target) {
        return new EgressDecision(defaultAllow, EgressDecision.DEFAULT_RULE, Names.shorten(target)
                + (defaultAllow ? " matches no rule; the default allows it" : " matches no rule; the default denies"
                + " it: add a rule such as 'allow <host>' to reach it"));
    }

    private static List<Integer> portList(int... ports) {
        if (ports == null) {
            return List.of();
        }
        return IntStream.of(ports).boxed().toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EgressPolicy p && p.defaultAllow == defaultAllow && p.rules.equals(rules)
                && p.upstreams.equals(upstreams);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {defaultAllow, rules, upstreams});
    }

    /** The text form {@link #parse(String)} reads back: a {@code default} line, the rules, the upstreams. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(defaultAllow ? "default allow\n" : "default deny\n");
        for (EgressRule r : rules) {
            sb.append(r).append('\n');
        }
        for (InetSocketAddress u : upstreams) {
            sb.append("upstream ").append(EgressText.printUpstream(u)).append('\n');
        }
        return sb.toString();
    }
}
