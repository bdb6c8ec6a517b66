package dev.sandbox4j.egress;

import dev.sandbox4j.SandboxConfigException;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * One rule of an {@link EgressPolicy}: allow or deny a host pattern or an address range, on every port or on the
 * listed ones. {@link #toString()} gives the text form that {@link EgressPolicy#parseRule(String)} reads back:
 *
 * <pre>
 * allow *.example.com:443
 * deny evil.example.com
 * allow-cidr 203.0.113.0/24:80,443
 * deny-cidr 2001:db8::/32
 * </pre>
 */
public sealed interface EgressRule permits EgressRule.HostRule, EgressRule.CidrRule {

    /** What a matching rule does. */
    enum Action {
        ALLOW,
        DENY
    }

    Action action();

    /** Destination ports the rule covers, ascending; empty means every port. */
    List<Integer> ports();

    /** Whether the rule covers the port (always, when it lists none). */
    default boolean coversPort(int port) {
        return ports().isEmpty() || ports().contains(port);
    }

    /** A rule on host names, matched against DNS query names (and CNAME targets). */
    record HostRule(Action action, HostPattern pattern, List<Integer> ports) implements EgressRule {
        public HostRule {
            if (action == null || pattern == null) {
                throw new SandboxConfigException("a host rule needs an action and a pattern");
            }
            ports = checkPorts(ports, pattern.toString());
        }

        @Override
        public String toString() {
            return (action == Action.ALLOW ? "allow " : "deny ") + pattern + portSuffix(ports);
        }
    }

    /** A rule on destination addresses. Never matched against names, and names never match it (no PTR lookups). */
    record CidrRule(Action action, Cidr cidr, List<Integer> ports) implements EgressRule {
        public CidrRule {
            if (action == null || cidr == null) {
                throw new SandboxConfigException("a CIDR rule needs an action and a network");
            }
            ports = checkPorts(ports, cidr.toString());
        }

        @Override
        public String toString() {
            return (action == Action.ALLOW ? "allow-cidr " : "deny-cidr ") + cidr + portSuffix(ports);
        }
    }

    private static List<Integer> checkPorts(List<Integer> ports, String what) {
        if (ports == null) {
            return List.of();
        }
        TreeSet<Integer> sorted = new TreeSet<>();
        for (Integer p : ports) {
            if (p == null || p < 1 || p > 65535) {
                throw new SandboxConfigException("port " + p + " for " + what + " is out of range: use 1..65535");
            }
            sorted.add(p);
        }
        return List.copyOf(sorted);
    }

    private static String portSuffix(List<Integer> ports) {
        if (ports.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(":");
        for (int i = 0; i < ports.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(ports.get(i));
        }
        return sb.toString();
    }

    /** Parses the text form; see the class comment. Keywords are case-insensitive. */
    static EgressRule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SandboxConfigException("an egress rule is empty: write e.g. 'allow example.com:443'");
        }
        String t = text.strip();
        int space = t.indexOf(' ');
        if (space < 0) {
            throw new SandboxConfigException("egress rule '" + t + "' needs a keyword and a target, such as"
                    + " 'allow example.com', 'deny evil.example.com' or 'allow-cidr 203.0.113.0/24:443'");
        }
        String keyword = t.substring(0, space).toLowerCase(Locale.ROOT);
        String target = t.substring(space + 1).strip();
        return switch (keyword) {
            case "allow", "deny" -> {
                int colon = target.indexOf(':');
                String host = colon < 0 ? target : target.substring(0, colon);
                List<Integer> ports = colon < 0 ? List.of() : parsePorts(target.substring(colon + 1), t);
                yield new HostRule(keyword.equals("allow") ? Action.ALLOW : Action.DENY, HostPattern.parse(host),
                        ports);
            }
            case "allow-cidr", "deny-cidr" -> {
                int slash = target.indexOf('/');
                int colon = slash < 0 ? -1 : target.indexOf(':', slash);
                String net = colon < 0 ? target : target.substring(0, colon);
                List<Integer> ports = colon < 0 ? List.of() : parsePorts(target.substring(colon + 1), t);
                yield new CidrRule(keyword.equals("allow-cidr") ? Action.ALLOW : Action.DENY, Cidr.parse(net), ports);
            }
            default -> throw new SandboxConfigException("egress rule '" + t + "' starts with '" + keyword
                    + "': use allow, deny, allow-cidr or deny-cidr");
        };
    }

    private static List<Integer> parsePorts(String text, String rule) {
        String[] parts = text.split(",", -1);
        List<Integer> out = new java.util.ArrayList<>();
        for (String p : parts) {
            String s = p.strip();
            if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new SandboxConfigException("egress rule '" + rule + "' has an invalid port '" + s + "': list"
                        + " ports as numbers separated by commas, such as ':80,443'");
            }
            out.add(Integer.parseInt(s));
        }
        return out;
    }
}
