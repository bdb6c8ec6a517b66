package dev.sandbox4j.config;

import dev.sandbox4j.SandboxConfigException;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code egress} section of a configuration file, as written: a default action, ordered rules in their
 * textual form and DNS upstreams. It is turned into an {@link dev.sandbox4j.egress.EgressPolicy} when a
 * {@link SandboxDefinition} makes a builder.
 *
 * <p>Rules, one per string, first match wins:
 * <ul>
 *   <li>{@code allow HOST[:PORTS]} / {@code deny HOST[:PORTS]} — HOST is {@code pypi.org}, {@code *.example.com}
 *       (exactly one label) or {@code **.example.com} (any depth); neither wildcard matches the apex;</li>
 *   <li>{@code allow-cidr CIDR[:PORTS]} / {@code deny-cidr CIDR[:PORTS]} — e.g. {@code 203.0.113.0/24:443};</li>
 *   <li>PORTS is {@code 443}, {@code 80,443} or {@code 8000-8100}; omitted means every port.</li>
 * </ul>
 *
 * @param defaultAction what happens to a connection no rule matches
 * @param rules         the rules in order, normalised (lowercase, single spaces)
 * @param upstreams     DNS servers allowed queries are re-originated to; empty means the host's resolvers
 */
public record EgressConfig(Default defaultAction, List<String> rules, List<InetSocketAddress> upstreams) {

    /** The action for connections that no rule matches. */
    public enum Default {
        ALLOW, DENY;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Allow everything: what a file with {@code "egress": {"default": "allow"}} means. */
    public static final EgressConfig ALLOW_ALL = new EgressConfig(Default.ALLOW, List.of(), List.of());

    public EgressConfig {
        if (defaultAction == null) {
            throw new SandboxConfigException("egress default must be \"deny\" or \"allow\"");
        }
        List<String> normalised = new ArrayList<>();
        for (String rule : rules) {
            normalised.add(normaliseRule(rule));
        }
        rules = List.copyOf(normalised);
        upstreams = List.copyOf(upstreams);
    }

    /** Whether this configuration lets everything through. */
    public boolean allowsEverything() {
        return defaultAction == Default.ALLOW && rules.isEmpty();
    }

    /**
     * Checks one rule's syntax and returns it normalised; throws {@link SandboxConfigException} saying how to write
     * it. This checks the form only: name rules (such as rejecting {@code *.com}) are the policy's.
     */
    public static String normaliseRule(String rule) {
        if (rule == null || rule.isBlank()) {
            throw new SandboxConfigException("empty egress rule: write e.g. \"allow pypi.org\"");
        }
        String[] parts = rule.strip().split("\\s+");
        if (parts.length != 2) {
            throw badRule(rule, "a rule is an action and one target separated by a space");
        }
        String action = parts[0].toLowerCase(Locale.ROOT);
        String target = parts[1];
        switch (action) {
            case "allow", "deny" -> {
                int colon = target.indexOf(':');
                String host = colon < 0 ? target : target.substring(0, colon);
                String ports = colon < 0 ? null : target.substring(colon + 1);
                return action + " " + hostPattern(host, rule) + (ports == null ? "" : ":" + ports(ports, rule));
            }
            case "allow-cidr", "deny-cidr" -> {
                int slash = target.indexOf('/');
                if (slash < 0) {
                    throw badRule(rule, "a CIDR needs a prefix length, e.g. 203.0.113.0/24");
                }
                String address = target.substring(0, slash);
                String rest = target.substring(slash + 1);
                int colon = rest.indexOf(':');
                String prefix = colon < 0 ? rest : rest.substring(0, colon);
                String ports = colon < 0 ? null : rest.substring(colon + 1);
                return action + " " + cidr(address, prefix, rule) + (ports == null ? "" : ":" + ports(ports, rule));
            }
            default -> throw badRule(rule, "the action must be allow, deny, allow-cidr or deny-cidr, not \""
                    + parts[0] + "\"");
        }
    }

    private static String hostPattern(String host, String rule) {
        String h = host.toLowerCase(Locale.ROOT);
        String prefix = "";
        if (h.startsWith("**.")) {
            prefix = "**.";
        } else if (h.startsWith("*.")) {
            prefix = "*.";
        }
        String name = h.substring(prefix.length());
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        try {
            name = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            throw badRule(rule, "\"" + host + "\" is not a host name");
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")
                    || !label.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                throw badRule(rule, "\"" + host + "\" is not a host name or pattern: write pypi.org, "
                        + "*.pythonhosted.org or **.example.com");
            }
        }
        if (!prefix.isEmpty() && labels.length < 2) {
            throw badRule(rule, "\"" + host + "\" matches a whole top-level domain: name the domain, e.g. *.example.com");
        }
        if (name.length() > 253) {
            throw badRule(rule, "host name is longer than 253 characters");
        }
        return prefix + name;
    }

    private static String cidr(String address, String prefix, String rule) {
        boolean v6 = address.indexOf(':') >= 0;
        boolean literal = !address.isEmpty() && address.chars().allMatch(c -> Character.digit(c, 16) >= 0
                || c == '.' || c == ':') && (v6 || address.chars().filter(c -> c == '.').count() == 3);
        if (!literal) {
            throw badRule(rule, "\"" + address + "\" is not an IP address");
        }
        InetAddress ip;
        try {
            ip = InetAddress.getByName(address);  // a checked literal: no name lookup happens
        } catch (UnknownHostException e) {
            throw badRule(rule, "\"" + address + "\" is not an IP address");
        }
        int max = ip.getAddress().length * 8;
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(Character::isDigit)
                || Integer.parseInt(prefix) > max) {
            throw badRule(rule, "prefix length \"" + prefix + "\" must be 0-" + max);
        }
        return ip.getHostAddress() + "/" + Integer.parseInt(prefix);
    }

    private static String ports(String ports, String rule) {
        List<String> out = new ArrayList<>();
        for (String p : ports.split(",", -1)) {
            String[] range = p.split("-", -1);
            if (range.length > 2) {
                throw badRule(rule, "port range \"" + p + "\" must be LOW-HIGH");
            }
            int low = port(range[0], rule);
            int high = range.length == 2 ? port(range[1], rule) : low;
            if (high < low) {
                throw badRule(rule, "port range \"" + p + "\" runs backwards: write " + high + "-" + low);
            }
            out.add(range.length == 2 ? low + "-" + high : Integer.toString(low));
        }
        return String.join(",", out);
    }

    private static int port(String s, String rule) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)
                || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
            throw badRule(rule, "port \"" + s + "\" must be a number 1-65535");
        }
        return Integer.parseInt(s);
    }

    private static SandboxConfigException badRule(String rule, String why) {
        return new SandboxConfigException("egress rule \"" + rule + "\": " + why
                + " (forms: \"allow HOST[:PORTS]\", \"deny HOST[:PORTS]\", \"allow-cidr CIDR[:PORTS]\", "
                + "\"deny-cidr CIDR[:PORTS]\")");
    }

    /** Parses a DNS upstream {@code "127.0.0.1:5353"}, {@code "[::1]:53"} or {@code "192.0.2.1"} (port 53). */
    public static InetSocketAddress parseUpstream(String text) {
        String s = text.strip();
        String host = s;
        int port = 53;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw badUpstream(text);
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw badUpstream(text);
                }
                port = upstreamPort(rest.substring(1), text);
            }
        } else if (s.chars().filter(c -> c == ':').count() == 1) {
            host = s.substring(0, s.indexOf(':'));
            port = upstreamPort(s.substring(s.indexOf(':') + 1), text);
        }
        boolean literal = !host.isEmpty() && host.chars().allMatch(c -> Character.digit(c, 16) >= 0
                || c == '.' || c == ':') && (host.indexOf(':') >= 0 || host.chars().filter(c -> c == '.').count() == 3);
        if (!literal) {
            throw badUpstream(text);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);  // literal: no lookup
        } catch (UnknownHostException e) {
            throw badUpstream(text);
        }
    }

    private static int upstreamPort(String s, String text) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)
                || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
            throw badUpstream(text);
        }
        return Integer.parseInt(s);
    }

    private static SandboxConfigException badUpstream(String text) {
        return new SandboxConfigException("DNS upstream \"" + text + "\" must be an IP address with an optional "
                + "port: \"127.0.0.1:5353\", \"[::1]:53\" or \"192.0.2.1\" (port 53); host names are not accepted");
    }

    /** The upstream's textual form, as {@link #parseUpstream} reads it. */
    static String formatUpstream(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
