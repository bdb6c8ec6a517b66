package dev.sandbox4j.egress.internal.macos;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The pf rules that police one Apple {@code container} sandbox, as the text of one anchor for
 * {@code pfctl -a <anchor> -f -}, plus every {@code pfctl} argument list the session runs. Pure: no I/O.
 *
 * <p>The anchor lives under {@code com.apple/}, which the stock macOS {@code /etc/pf.conf} already evaluates
 * ({@code rdr-anchor "com.apple/*"}, {@code anchor "com.apple/*"}), so nothing in {@code /etc/pf.conf} is edited.
 * Its name starts with {@code 000.} so that, among the children of {@code com.apple} (evaluated in name order),
 * it comes before Apple's own ({@code 100.InternetSharing}, {@code 200.AirDrop}, ...). Every rule is
 * {@code quick} and keyed on the sandbox network's subnets (the network belongs to this sandbox alone, and the
 * workload has neither NET_ADMIN nor NET_RAW, so it can neither change its address nor forge another):
 * <ol>
 *   <li>every port-53 packet (UDP and TCP, any destination) from the IPv4 subnet is redirected ({@code rdr}) to
 *       the sandbox's DNS interceptor on 127.0.0.1, so the host needs no port-53 listener (apple/container#402);
 *       port 53 over IPv6 is refused;</li>
 *   <li>the redirected DNS is the only thing the sandbox may send to the host: the host's own addresses
 *       ({@code self}) and the gateway are refused;</li>
 *   <li>TCP 853 (DoT) is refused, then CIDR deny rules, then "every port except" exclusions of learned
 *       addresses;</li>
 *   <li>TCP passes only to addresses in the anchor's tables, which the interceptor fills before it releases an
 *       answer ({@code <sb4j_any>} any port, {@code <sb4j_pN>} port N only), and to CIDR allow rules;</li>
 *   <li>everything else from the sandbox is blocked with {@code return}: a TCP reset or an ICMP unreachable, so a
 *       denied connect fails at once. That includes UDP other than DNS, ICMP echo, IPv6 unless allowed, other
 *       protocols, other sandboxes and metadata addresses.</li>
 * </ol>
 * Every rule carries a {@code label}, so {@link #missingLabels} can tell whether the loaded anchor is intact
 * however {@code pfctl -s rules} formats it. pf tables have no per-entry timeout: learned addresses expire
 * through {@link LearnedExpiry}. pf keeps state for passed connections, so a connection opened while an address
 * was in a table outlives the entry (new connections after expiry are refused).
 */
public final class PfRuleset {
    /** The anchor point the stock {@code /etc/pf.conf} evaluates for filter and rdr rules. */
    public static final String PARENT = "com.apple";
    /** Prefix of every anchor Sandbox4j loads. */
    public static final String ANCHOR_PREFIX = PARENT + "/000.sandbox4j.";
    /** The table of learned addresses open on every TCP port. */
    public static final String ANY_TABLE = "sb4j_any";
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern LABEL = Pattern.compile("label \"([^\"]*)\"");
    private static final Pattern TOKEN = Pattern.compile("Token\\s*:\\s*(\\d+)");
    private static final Pattern STATUS = Pattern.compile("(?m)^Status:\\s*(Enabled|Disabled)");

    /** A static rule from a CIDR rule of the policy; empty ports means any TCP port (deny: any protocol). */
    public record CidrRule(boolean allow, Cidr cidr, List<Integer> ports) {
        public CidrRule {
            ports = List.copyOf(new TreeSet<>(ports));
            for (int p : ports) {
                checkPort(p);
            }
        }
    }

    private final String anchor;
    private final Cidr subnet;
    private final Optional<Cidr> subnet6;
    private final Inet4Address gateway;
    private final int dnsPort;
    private final List<CidrRule> cidrs;
    private final Set<Integer> namedPorts;

    /**
     * @param key        the sandbox's key, {@code [a-z0-9][a-z0-9_.-]{0,62}}; the anchor is {@value #ANCHOR_PREFIX}key
     * @param subnet     the sandbox network's IPv4 subnet
     * @param subnet6    its IPv6 subnet, when the runtime reports one
     * @param gateway    the host's address on that network
     * @param dnsPort    the interceptor's port on 127.0.0.1
     * @param cidrs      CIDR rules of the policy, in policy order
     * @param namedPorts every port a host rule of the policy names: each gets its own pass and exclusion table
     */
    public PfRuleset(String key, Cidr subnet, Optional<Cidr> subnet6, InetAddress gateway, int dnsPort,
                     List<CidrRule> cidrs, Collection<Integer> namedPorts) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("sandbox key \"" + key + "\" must match " + KEY.pattern());
        }
        if (!(subnet.network() instanceof Inet4Address) || subnet.prefixLength() < 8) {
            throw new IllegalArgumentException("the sandbox subnet must be IPv4, /8 or longer: " + subnet);
        }
        if (subnet6.isPresent() && (!(subnet6.get().network() instanceof Inet6Address)
                || subnet6.get().prefixLength() < 16)) {
            throw new IllegalArgumentException("the sandbox IPv6 subnet must be IPv6, /16 or longer: " + subnet6.get());
        }
        if (!(gateway instanceof Inet4Address g) || !subnet.contains(gateway)) {
            throw new IllegalArgumentException("the gateway must be an IPv4 address in " + subnet + ": " + gateway);
        }
        checkPort(dnsPort);
        for (int p : namedPorts) {
            checkPort(p);
        }
        this.anchor = ANCHOR_PREFIX + key;
        this.subnet = subnet;
        this.subnet6 = subnet6;
        this.gateway = g;
        this.dnsPort = dnsPort;
        this.cidrs = List.copyOf(cidrs);
        this.namedPorts = new TreeSet<>(namedPorts);
    }

    private static void checkPort(int p) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("not a port: " + p);
        }
    }

    public String anchor() {
        return anchor;
    }

    /** The table that opens port {@code port} of its addresses. */
    public static String portTable(int port) {
        checkPort(port);
        return "sb4j_p" + port;
    }

    /** The table that closes port {@code port} of its addresses (for "every port except" rules). */
    public static String exceptTable(int port) {
        checkPort(port);
        return "sb4j_x" + port;
    }

    /** Every table the anchor declares, in declaration order. */
    public List<String> tables() {
        List<String> t = new ArrayList<>();
        t.add(ANY_TABLE);
        namedPorts.forEach(p -> t.add(portTable(p)));
        namedPorts.forEach(p -> t.add(exceptTable(p)));
        return t;
    }

    /**
     * The tables a learned address goes into for the given allowed ports; empty for {@link AllowedPorts#NONE}.
     *
     * @throws IllegalArgumentException when a port has no table (the policy changed under the session)
     */
    public List<String> tablesFor(AllowedPorts ports) {
        List<String> out = new ArrayList<>();
        if (ports.allExcept()) {
            out.add(ANY_TABLE);
        }
        for (int p : ports.ports()) {
            if (!namedPorts.contains(p)) {
                throw new IllegalArgumentException("port " + p + " has no pf table in anchor " + anchor);
            }
            out.add(ports.allExcept() ? exceptTable(p) : portTable(p));
        }
        return out;
    }

    private String from() {
        return subnet6.map(s6 -> "{ " + subnet + ", " + s6 + " }").orElse(subnet.toString());
    }

    /** The anchor's text, loaded atomically by one {@code pfctl -a <anchor> -f -}. */
    public String text() {
        String s4 = subnet.toString();
        String from = from();
        StringBuilder s = new StringBuilder();
        s.append("# Sandbox4j egress rules for one sandbox; generated, loaded with pfctl -a ").append(anchor).append('\n');
        for (String t : tables()) {
            s.append("table <").append(t).append("> persist\n");
        }
        s.append("rdr inet proto udp from ").append(s4).append(" to any port 53 -> 127.0.0.1 port ").append(dnsPort)
                .append(" label \"sb4j-rdr-dns-udp\"\n");
        s.append("rdr inet proto tcp from ").append(s4).append(" to any port 53 -> 127.0.0.1 port ").append(dnsPort)
                .append(" label \"sb4j-rdr-dns-tcp\"\n");
        s.append("pass out quick from any to ").append(from).append(" keep state label \"sb4j-to-sandbox\"\n");
        s.append("pass in quick inet proto udp from ").append(s4).append(" to 127.0.0.1 port ").append(dnsPort)
                .append(" keep state label \"sb4j-dns-udp\"\n");
        s.append("pass in quick inet proto tcp from ").append(s4).append(" to 127.0.0.1 port ").append(dnsPort)
                .append(" flags S/SA keep state label \"sb4j-dns-tcp\"\n");
        s.append("block return in quick from ").append(from).append(" to self label \"sb4j-host\"\n");
        s.append("block return in quick from ").append(from).append(" to ").append(gateway.getHostAddress())
                .append(" label \"sb4j-gateway\"\n");
        subnet6.ifPresent(s6 -> s.append("block return in quick inet6 proto { tcp, udp } from ").append(s6)
                .append(" to any port 53 label \"sb4j-dns6\"\n"));
        s.append("block return in quick proto tcp from ").append(from).append(" to any port 853 label \"sb4j-dot\"\n");
        int n = 0;
        for (CidrRule c : cidrs) {
            if (!c.allow()) {
                s.append("block return in quick ").append(c.ports().isEmpty() ? "" : "proto tcp ").append("from ")
                        .append(from).append(" to ").append(c.cidr()).append(ports(c.ports()))
                        .append(" label \"sb4j-deny-cidr-").append(n).append("\"\n");
            }
            n++;
        }
        for (int p : namedPorts) {
            s.append("block return in quick proto tcp from ").append(from).append(" to <").append(exceptTable(p))
                    .append("> port ").append(p).append(" label \"sb4j-except-").append(p).append("\"\n");
        }
        s.append("pass in quick proto tcp from ").append(from).append(" to <").append(ANY_TABLE)
                .append("> flags S/SA keep state label \"sb4j-learned\"\n");
        for (int p : namedPorts) {
            s.append("pass in quick proto tcp from ").append(from).append(" to <").append(portTable(p))
                    .append("> port ").append(p).append(" flags S/SA keep state label \"sb4j-learned-").append(p)
                    .append("\"\n");
        }
        n = 0;
        for (CidrRule c : cidrs) {
            if (c.allow()) {
                s.append("pass in quick proto tcp from ").append(from).append(" to ").append(c.cidr())
                        .append(ports(c.ports())).append(" flags S/SA keep state label \"sb4j-allow-cidr-").append(n)
                        .append("\"\n");
            }
            n++;
        }
        s.append("block return in quick from ").append(from).append(" to any label \"sb4j-default\"\n");
        return s.toString();
    }

    private static String ports(List<Integer> ports) {
        if (ports.isEmpty()) {
            return "";
        }
        if (ports.size() == 1) {
            return " port " + ports.get(0);
        }
        return " port { " + ports.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " }";
    }

    /** Labels of the translation rules ({@code pfctl -s nat}). */
    public Set<String> natLabels() {
        return labels(true);
    }

    /** Labels of the filter rules ({@code pfctl -s rules}). */
    public Set<String> filterLabels() {
        return labels(false);
    }

    private Set<String> labels(boolean nat) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : text().split("\n")) {
            boolean isNat = line.startsWith("rdr ");
            if (isNat == nat) {
                Matcher m = LABEL.matcher(line);
                if (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    /** The expected labels that {@code pfctlOutput} (a {@code -s rules} or {@code -s nat} listing) lacks. */
    public static Set<String> missingLabels(Set<String> expected, String pfctlOutput) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = LABEL.matcher(pfctlOutput);
        while (m.find()) {
            found.add(m.group(1));
        }
        Set<String> missing = new LinkedHashSet<>(expected);
        missing.removeAll(found);
        return missing;
    }

    /** Whether a main-ruleset listing still evaluates {@code com.apple/*} with the given keyword. */
    public static boolean evaluatesParent(String mainListing, String keyword) {
        for (String line : mainListing.split("\n")) {
            if (line.strip().startsWith(keyword + " \"" + PARENT + "/*\"")) {
                return true;
            }
        }
        return false;
    }

    /** The reference token {@code pfctl -E} printed, or empty. */
    public static Optional<String> token(String pfctlOutput) {
        Matcher m = TOKEN.matcher(pfctlOutput);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Whether {@code pfctl -s info} says pf is enabled. */
    public static boolean enabled(String infoOutput) {
        Matcher m = STATUS.matcher(infoOutput);
        return m.find() && m.group(1).equals("Enabled");
    }

    // ---- argument lists ------------------------------------------------------------------------------------

    /** Loads the anchor's rules and tables from stdin, replacing what it held, in one transaction. */
    public List<String> loadArgs(String pfctl) {
        return List.of(pfctl, "-a", anchor, "-f", "-");
    }

    /** Lists the anchor's filter rules. */
    public List<String> showRulesArgs(String pfctl) {
        return List.of(pfctl, "-a", anchor, "-s", "rules");
    }

    /** Lists the anchor's translation (rdr) rules. */
    public List<String> showNatArgs(String pfctl) {
        return List.of(pfctl, "-a", anchor, "-s", "nat");
    }

    /** Adds addresses to one of the anchor's tables. */
    public List<String> tableAddArgs(String pfctl, String table, List<InetAddress> addresses) {
        return tableArgs(pfctl, table, "add", addresses);
    }

    /** Removes addresses from one of the anchor's tables. */
    public List<String> tableDeleteArgs(String pfctl, String table, List<InetAddress> addresses) {
        return tableArgs(pfctl, table, "delete", addresses);
    }

    private List<String> tableArgs(String pfctl, String table, String op, List<InetAddress> addresses) {
        if (!tables().contains(table)) {
            throw new IllegalArgumentException("anchor " + anchor + " has no table " + table);
        }
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no addresses to " + op);
        }
        List<String> a = new ArrayList<>(List.of(pfctl, "-a", anchor, "-t", table, "-T", op));
        for (InetAddress address : addresses) {
            a.add(literal(address));
        }
        return a;
    }

    /** An address as pfctl reads it: from an {@link InetAddress}, never from text, without a zone. */
    static String literal(InetAddress address) {
        String ip = address.getHostAddress();
        int zone = ip.indexOf('%');
        return zone >= 0 ? ip.substring(0, zone) : ip;
    }

    /** Removes every rule of the anchor, translation and filter, and its tables: three commands. */
    public List<List<String>> flushArgs(String pfctl) {
        return List.of(List.of(pfctl, "-a", anchor, "-F", "nat"), List.of(pfctl, "-a", anchor, "-F", "rules"),
                List.of(pfctl, "-a", anchor, "-F", "Tables"));
    }

    /** Kills the pf states of connections from the sandbox network (states are global, not per anchor). */
    public List<String> killStatesArgs(String pfctl) {
        return List.of(pfctl, "-k", subnet.toString());
    }

    /** Enables pf with a reference; prints a token for {@link #releaseArgs}. */
    public static List<String> enableArgs(String pfctl) {
        return List.of(pfctl, "-E");
    }

    /** Releases one enable reference; pf turns off only when the last reference goes. */
    public static List<String> releaseArgs(String pfctl, String token) {
        if (!token.matches("\\d{1,20}")) {
            throw new IllegalArgumentException("not a pf token: " + token);
        }
        return List.of(pfctl, "-X", token);
    }

    /** Whether pf is enabled. */
    public static List<String> infoArgs(String pfctl) {
        return List.of(pfctl, "-s", "info");
    }

    /** The main ruleset's filter rules (to check {@code anchor "com.apple/*"} is still there). */
    public static List<String> mainRulesArgs(String pfctl) {
        return List.of(pfctl, "-s", "rules");
    }

    /** The main ruleset's translation rules (to check {@code rdr-anchor "com.apple/*"} is still there). */
    public static List<String> mainNatArgs(String pfctl) {
        return List.of(pfctl, "-s", "nat");
    }
}
