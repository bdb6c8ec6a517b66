package dev.sandbox4j.egress;

import dev.sandbox4j.SandboxConfigException;
import java.util.List;
import java.util.TreeSet;

/**
 * One rule of an {@link EgressPolicy}: allow or deny a host pattern or an address range, on every port or on the
 * listed ones. {@code toString()} gives the text form that {@link EgressPolicy#parseRule(String)} reads back:
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
        /** The destination may be reached. */
        ALLOW,
        /** The destination may not be reached (its names get NXDOMAIN when the rule covers every port). */
        DENY
    }

    /**
     * What the rule does.
     *
     * @return allow or deny
     */
    Action action();

    /**
     * Destination ports the rule covers, ascending; empty means every port.
     *
     * @return the ports; empty for every port
     */
    List<Integer> ports();

    /**
     * Whether the rule covers the port (always, when it lists none).
     *
     * @param port a destination port
     * @return whether the rule applies to it
     */
    default boolean coversPort(int port) {
        return ports().isEmpty() || ports().contains(port);
    }

    /** A rule on host names, matched against DNS query names (and CNAME targets). */
    record HostRule(Action action, HostPattern pattern, List<Integer> ports) implements EgressRule {
        /**
         * Checks and copies the parts.
         *
         * @param action what the rule does
         * @param pattern the host pattern
         * @param ports the ports, any order, duplicates allowed; {@code null} or empty for every port
         * @throws SandboxConfigException for a missing action or pattern, or a port outside 1..65535
         */
        public HostRule {
            if (action == null || pattern == null) {
                throw new SandboxConfigException("a host rule needs an action and a pattern");
            }
            ports = checkPorts(ports, pattern.toString());
        }

        /** The rule's text form, such as {@code allow *.example.com:443}; {@link EgressRule#parse} reads it back. */
        @Override
        public String toString() {
            return EgressText.printRule(this);
        }
    }

    /** A rule on destination addresses. Never matched against names, and names never match it (no PTR lookups). */
    record CidrRule(Action action, Cidr cidr, List<Integer> ports) implements EgressRule {
        /**
         * Checks and copies the parts.
         *
         * @param action what the rule does
         * @param cidr the network
         * @param ports the ports, any order, duplicates allowed; {@code null} or empty for every port
         * @throws SandboxConfigException for a missing action or network, or a port outside 1..65535
         */
        public CidrRule {
            if (action == null || cidr == null) {
                throw new SandboxConfigException("a CIDR rule needs an action and a network");
            }
            ports = checkPorts(ports, cidr.toString());
        }

        /** The rule's text form, such as {@code allow-cidr 203.0.113.0/24:443}; {@link EgressRule#parse} reads it back. */
        @Override
        public String toString() {
            return EgressText.printRule(this);
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

    /**
     * Parses the text form; see the class comment. Keywords are case-insensitive; host names are stored as
     * lowercase A-labels and ports in ascending order, so {@code toString()} of the result is the canonical form.
     *
     * @param text one rule, such as {@code allow *.example.com:443}
     * @return the rule
     * @throws SandboxConfigException naming the rule and how to write it, when it does not parse or breaks a
     *                                rule of {@link HostPattern} or {@link Cidr}
     */
    static EgressRule parse(String text) {
        return EgressText.parseRule(text);
    }
}
