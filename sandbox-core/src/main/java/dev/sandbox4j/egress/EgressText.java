package dev.sandbox4j.egress;

import dev.sandbox4j.SandboxConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one text grammar of egress rules and DNS upstreams, and its one printer. {@link EgressRule#parse(String)},
 * {@link EgressPolicy#parse(String)}, {@link EgressPolicy#parseUpstream(String)} and the configuration files'
 * {@code egress} section all read through here, and everything that writes a rule or an upstream prints through
 * here, so whatever one accepts the others accept and a printed form reads back equal. No I/O, no DNS.
 *
 * <pre>
 * rule     = action WS target
 * action   = "allow" | "deny"             (host rules; case-insensitive)
 *          | "allow-cidr" | "deny-cidr"   (address rules)
 * target   = host [":" ports]             host: example.com, *.example.com, **.example.com
 *          | cidr [":" ports]             cidr: 203.0.113.0/24, 2001:db8::/32, 203.0.113.7 (IPv4 host)
 * ports    = port *("," port)             port: 1..65535, ASCII digits
 * upstream = ipv4 [":" port] | "[" ipv6 "]" [":" port] | ipv6        (port 53 when omitted)
 * </pre>
 */
final class EgressText {
    static final String RULE_FORMS = "allow HOST[:PORTS], deny HOST[:PORTS], allow-cidr CIDR[:PORTS] or"
            + " deny-cidr CIDR[:PORTS], with PORTS such as 443 or 80,443";

    private EgressText() {
    }

    static EgressRule parseRule(String text) {
        if (text == null || text.isBlank()) {
            throw new SandboxConfigException("an egress rule is empty: write e.g. 'allow example.com:443' (forms: "
                    + RULE_FORMS + ")");
        }
        String t = text.strip();
        String[] parts = t.split("\\s+");
        if (parts.length != 2) {
            throw bad(t, "a rule is a keyword and one target separated by a space, such as 'allow example.com',"
                    + " 'deny evil.example.com' or 'allow-cidr 203.0.113.0/24:443'");
        }
        String keyword = parts[0].toLowerCase(Locale.ROOT);
        String target = parts[1];
        return switch (keyword) {
            case "allow", "deny" -> hostRule(keyword.equals("allow") ? EgressRule.Action.ALLOW
                    : EgressRule.Action.DENY, target, t);
            case "allow-cidr", "deny-cidr" -> cidrRule(keyword.equals("allow-cidr") ? EgressRule.Action.ALLOW
                    : EgressRule.Action.DENY, target, t);
            default -> throw bad(t, "it starts with '" + parts[0] + "': use allow, deny, allow-cidr or deny-cidr");
        };
    }

    private static EgressRule hostRule(EgressRule.Action action, String target, String rule) {
        if (target.indexOf(':') != target.lastIndexOf(':')) {
            throw bad(rule, "'" + target + "' looks like an IPv6 address: addresses go in allow-cidr or deny-cidr,"
                    + " such as 'allow-cidr 2001:db8::1/128'");
        }
        int colon = target.indexOf(':');
        String host = colon < 0 ? target : target.substring(0, colon);
        List<Integer> ports = colon < 0 ? List.of() : parsePorts(target.substring(colon + 1), rule);
        try {
            return new EgressRule.HostRule(action, HostPattern.parse(host), ports);
        } catch (SandboxConfigException e) {
            throw new SandboxConfigException(prefix(rule) + e.getMessage(), e);
        }
    }

    private static EgressRule cidrRule(EgressRule.Action action, String target, String rule) {
        String net = target;
        List<Integer> ports = List.of();
        int slash = target.indexOf('/');
        if (slash >= 0) {
            int colon = target.indexOf(':', slash);
            if (colon >= 0) {
                net = target.substring(0, colon);
                ports = parsePorts(target.substring(colon + 1), rule);
            }
        } else if (target.indexOf('.') >= 0 && target.indexOf(':') >= 0
                && target.indexOf(':') == target.lastIndexOf(':')) {
            // a single IPv4 host with ports: 203.0.113.7:443
            net = target.substring(0, target.indexOf(':'));
            ports = parsePorts(target.substring(target.indexOf(':') + 1), rule);
        }
        try {
            return new EgressRule.CidrRule(action, Cidr.parse(net), ports);
        } catch (SandboxConfigException e) {
            throw new SandboxConfigException(prefix(rule) + e.getMessage(), e);
        }
    }

    private static List<Integer> parsePorts(String text, String rule) {
        List<Integer> out = new ArrayList<>();
        for (String s : text.split(",", -1)) {
            if (s.indexOf('-') > 0) {
                throw bad(rule, "port range '" + s + "' is not supported: list the ports, such as ':8080,8443'");
            }
            if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
                throw bad(rule, "port '" + Names.shorten(s) + "' is not a number 1..65535: list ports as numbers"
                        + " separated by commas, such as ':80,443'");
            }
            out.add(Integer.parseInt(s));
        }
        return out;
    }

    /** The rule's text form: {@code allow *.example.com:80,443}, {@code deny-cidr 198.51.100.0/24}. */
    static String printRule(EgressRule rule) {
        String keyword;
        String target;
        if (rule instanceof EgressRule.HostRule h) {
            keyword = h.action() == EgressRule.Action.ALLOW ? "allow" : "deny";
            target = h.pattern().toString();
        } else {
            EgressRule.CidrRule c = (EgressRule.CidrRule) rule;
            keyword = c.action() == EgressRule.Action.ALLOW ? "allow-cidr" : "deny-cidr";
            target = c.cidr().toString();
        }
        StringBuilder sb = new StringBuilder(keyword).append(' ').append(target);
        List<Integer> ports = rule.ports();
        for (int i = 0; i < ports.size(); i++) {
            sb.append(i == 0 ? ':' : ',').append(ports.get(i));
        }
        return sb.toString();
    }

    static InetSocketAddress parseUpstream(String text) {
        if (text == null || text.isBlank()) {
            throw badUpstream(String.valueOf(text));
        }
        String s = text.strip();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw badUpstream(s);
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw badUpstream(s);
                }
                port = rest.substring(1);
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = s.substring(s.indexOf(':') + 1);
        } else {
            host = s;
        }
        int p = 53;
        if (port != null) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw badUpstream(s);
            }
            p = Integer.parseInt(port);
        }
        InetAddress address;
        try {
            address = Cidr.parseLiteral(host, s);
        } catch (SandboxConfigException e) {
            throw badUpstream(s);
        }
        return new InetSocketAddress(address, p);
    }

    /** {@code 127.0.0.1:5353}, {@code [0:0:0:0:0:0:0:1]:53}: always with the port. */
    static String printUpstream(InetSocketAddress upstream) {
        String h = upstream.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + upstream.getPort();
    }

    private static SandboxConfigException bad(String rule, String why) {
        return new SandboxConfigException(prefix(rule) + why + " (forms: " + RULE_FORMS + ")");
    }

    private static String prefix(String rule) {
        return "egress rule '" + Names.shorten(rule) + "': ";
    }

    private static SandboxConfigException badUpstream(String text) {
        return new SandboxConfigException("DNS upstream '" + Names.shorten(text) + "' must be an IP address with an"
                + " optional port: '127.0.0.1:5353', '[::1]:53' or '192.0.2.1' (port 53); host names are not"
                + " accepted (they would need DNS to find DNS)");
    }
}
