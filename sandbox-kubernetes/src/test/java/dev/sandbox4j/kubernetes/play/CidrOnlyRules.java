package dev.sandbox4j.kubernetes.play;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRule;
import dev.sandbox4j.spi.NamespaceRules;
import java.util.stream.Collectors;

/**
 * A stand-in for sandbox-egress's in-namespace ruleset, for the data-plane tests of this module only (which must
 * not depend on sandbox-egress's internals): default-deny output, loopback and replies allowed, every port-53
 * packet sent to the interceptor's port on loopback, TCP to the policy's IPv4 allow-cidr rules, everything else
 * rejected (TCP with a reset). It knows nothing of learned addresses; host rules need the real builder.
 */
public final class CidrOnlyRules implements NamespaceRules {
    static final String TABLE = "sandbox4j_pod";

    public CidrOnlyRules() {
    }

    @Override
    public String ruleset(EgressPolicy policy, int interceptorPort) {
        StringBuilder s = new StringBuilder("table inet " + TABLE + " {\n");
        s.append("  chain dns_redirect {\n");
        s.append("    type nat hook output priority -110; policy accept;\n");
        s.append("    oif \"lo\" return\n");
        s.append("    meta nfproto ipv4 udp dport 53 dnat ip to 127.0.0.1:").append(interceptorPort).append('\n');
        s.append("    meta nfproto ipv4 tcp dport 53 dnat ip to 127.0.0.1:").append(interceptorPort).append('\n');
        s.append("  }\n");
        s.append("  chain output {\n");
        s.append("    type filter hook output priority filter - 10; policy drop;\n");
        s.append("    oif \"lo\" accept\n");
        s.append("    ct direction reply accept\n");
        for (EgressRule r : policy.rules()) {
            if (r instanceof EgressRule.CidrRule c && c.action() == EgressRule.Action.ALLOW
                    && !c.cidr().toString().contains(":")) {
                s.append("    ip daddr ").append(c.cidr()).append(c.ports().isEmpty() ? " meta l4proto tcp"
                        : " tcp dport { " + c.ports().stream().map(String::valueOf).collect(Collectors.joining(", "))
                        + " }").append(" accept\n");
            }
        }
        s.append("    meta l4proto tcp reject with tcp reset\n");
        s.append("    reject with icmpx admin-prohibited\n");
        s.append("  }\n");
        s.append("}\n");
        return s.toString();
    }
}
