package dev.sandbox4j.config;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRule;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code egress} section of a configuration file, as written: a default action, ordered rules in their
 * textual form and DNS upstreams. It is turned into an {@link dev.sandbox4j.egress.EgressPolicy} when a
 * {@link SandboxDefinition} makes a builder.
 *
 * <p>Rules, one per string, first match wins, in the one grammar of {@link EgressRule} (what
 * {@link EgressPolicy#parseRule(String)} accepts, this accepts, and a policy's rules print to strings this reads
 * back equal):
 * <ul>
 *   <li>{@code allow HOST[:PORTS]} / {@code deny HOST[:PORTS]} — HOST is {@code pypi.org}, {@code *.example.com}
 *       (exactly one label) or {@code **.example.com} (any depth); neither wildcard matches the apex;</li>
 *   <li>{@code allow-cidr CIDR[:PORTS]} / {@code deny-cidr CIDR[:PORTS]} — e.g. {@code 203.0.113.0/24:443};</li>
 *   <li>PORTS is {@code 443} or {@code 80,443}; omitted means every port.</li>
 * </ul>
 *
 * @param defaultAction what happens to a connection no rule matches
 * @param rules         the rules in order, in canonical text form (lowercase A-labels, single space, ports
 *                      ascending)
 * @param upstreams     DNS servers allowed queries are re-originated to; empty means the host's resolvers
 */
public record EgressConfig(Default defaultAction, List<String> rules, List<InetSocketAddress> upstreams) {

    /** The action for connections that no rule matches. */
    public enum Default {
        /** Connections no rule matches are allowed. */
        ALLOW,
        /** Connections no rule matches are denied. */
        DENY;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Allow everything: what a file with {@code "egress": {"default": "allow"}} means. */
    public static final EgressConfig ALLOW_ALL = new EgressConfig(Default.ALLOW, List.of(), List.of());

    /**
     * Checks the section and puts its rules in canonical form.
     *
     * @param defaultAction what happens to a connection no rule matches
     * @param rules         the rules as written
     * @param upstreams     DNS upstreams
     * @throws SandboxConfigException for a missing default or a rule {@link #normaliseRule(String)} rejects
     */
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

    /**
     * Whether this configuration lets everything through.
     *
     * @return {@code true} for default allow without rules
     */
    public boolean allowsEverything() {
        return defaultAction == Default.ALLOW && rules.isEmpty();
    }

    /**
     * Checks one rule and returns its canonical text form: the grammar and printer of
     * {@link EgressRule#parse(String)}, so the file accepts exactly what the API accepts, including the name rules
     * (a wildcard on a public suffix such as {@code *.com} or {@code **.hf.space} is rejected here).
     *
     * @param rule one rule as written, such as {@code "ALLOW *.Example.com:443"}
     * @return the canonical form, such as {@code "allow *.example.com:443"}
     * @throws SandboxConfigException naming the rule and how to write it
     */
    public static String normaliseRule(String rule) {
        return EgressRule.parse(rule).toString();
    }

    /**
     * Parses a DNS upstream {@code "127.0.0.1:5353"}, {@code "[::1]:53"} or {@code "192.0.2.1"} (port 53); the
     * grammar of {@link EgressPolicy#parseUpstream(String)}.
     *
     * @param text the upstream as written
     * @return the address (no lookup happens)
     * @throws SandboxConfigException when it is not an IP literal with an optional port
     */
    public static InetSocketAddress parseUpstream(String text) {
        return EgressPolicy.parseUpstream(text);
    }

    /** The upstream's textual form, as {@link #parseUpstream} reads it. */
    static String formatUpstream(InetSocketAddress a) {
        return EgressPolicy.formatUpstream(a);
    }
}
