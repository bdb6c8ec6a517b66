package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRule;
import java.net.InetAddress;
import java.util.List;
import java.util.TreeSet;

/**
 * The ports the policy's CIDR rules leave for one answer address, folded in rule order like
 * {@link EgressPolicy#allowedPorts(String)} folds host rules: for each port the first CIDR rule containing the
 * address and covering the port decides; a rule without ports decides every port not decided yet. Ports no CIDR
 * rule decides get {@code rest}: every port for an ordinary address (CIDR rules only take away), none for an
 * address in a deny class (only an allow-cidr rule can make it usable, and only on that rule's ports). Pure.
 */
final class AddressPorts {
    private AddressPorts() {
    }

    static AllowedPorts fold(EgressPolicy policy, InetAddress address, AllowedPorts rest) {
        TreeSet<Integer> allowed = new TreeSet<>();
        TreeSet<Integer> denied = new TreeSet<>();
        for (EgressRule rule : policy.rules()) {
            if (!(rule instanceof EgressRule.CidrRule c) || !c.cidr().contains(address)) {
                continue;
            }
            boolean allow = c.action() == EgressRule.Action.ALLOW;
            if (c.ports().isEmpty()) {
                return allow ? new AllowedPorts(true, List.copyOf(denied))
                        : new AllowedPorts(false, List.copyOf(allowed));
            }
            for (int p : c.ports()) {
                if (!allowed.contains(p) && !denied.contains(p)) {
                    (allow ? allowed : denied).add(p);
                }
            }
        }
        return rest.isAll() ? new AllowedPorts(true, List.copyOf(denied))
                : new AllowedPorts(false, List.copyOf(allowed));
    }
}
