package dev.sandbox4j.egress.internal.linux;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import dev.sandbox4j.spi.NamespaceRules;
import java.net.InetAddress;
import java.util.List;

/**
 * The in-namespace rules for a runtime that polices a sandbox from inside its own network namespace with the DNS
 * interceptor on that namespace's loopback (a Kubernetes pod's init container loads them): the same
 * {@link NftRuleset} the Podman sessions load, with no host networks of its own (the pod reaches its node only as
 * a private address, which the forbidden classes already deny) and no published ports.
 */
public final class PodNamespaceRules implements NamespaceRules {
    @Override
    public String ruleset(EgressPolicy policy, int interceptorPort) {
        return new NftRuleset(NftRuleset.TABLE_PREFIX + "pod", InetAddress.getLoopbackAddress(), interceptorPort,
                List.of(), LinuxEgressSession.cidrRules(policy), policy.defaultAllows(), List.of()).create();
    }
}
