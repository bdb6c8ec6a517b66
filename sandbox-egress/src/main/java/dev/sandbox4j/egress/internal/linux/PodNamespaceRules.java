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
 *
 * <p>The interceptor (the pod's enforcer) shares the namespace with the workload, so its own upstream queries need
 * a way out that the workload cannot take: packets with the socket mark {@link #UPSTREAM_MARK} to the policy's
 * upstreams (or, when the policy names none, to port 53 of any address: the enforcer then asks the pod's
 * resolv.conf servers) skip the port-53 redirect and leave. Only a process with CAP_NET_ADMIN can mark a socket,
 * and in a policed pod only the init container and the enforcer have it.
 *
 * <p>Learned addresses pass only while the enforcer beats ({@link NftRuleset#withHeartbeat()}): if it dies, they
 * stop within {@link #HEARTBEAT_TIMEOUT}, and only the policy's CIDR rules let anything out.
 */
public final class PodNamespaceRules implements NamespaceRules {
    /** The socket mark of the enforcer's upstream queries; the enforcer image's socket shim sets the same value. */
    public static final long UPSTREAM_MARK = 0x5b4a0053L;
    /** How long one heartbeat of the enforcer keeps learned addresses usable. */
    public static final java.time.Duration HEARTBEAT_TIMEOUT = java.time.Duration.ofSeconds(10);
    /** The table the rules create in the pod's namespace. */
    public static final String TABLE = NftRuleset.TABLE_PREFIX + "pod";

    @Override
    public String ruleset(EgressPolicy policy, int interceptorPort) {
        return rules(policy, interceptorPort).create();
    }

    /**
     * The rules as the enforcer feeds them (the same table and sets the init container loaded).
     *
     * @param policy          the sandbox's policy
     * @param interceptorPort the enforcer's DNS port on the pod's loopback
     * @return the rules
     */
    public static NftRuleset rules(EgressPolicy policy, int interceptorPort) {
        return new NftRuleset(TABLE, InetAddress.getLoopbackAddress(), interceptorPort, List.of(),
                LinuxEgressSession.cidrRules(policy), policy.defaultAllows(), List.of())
                .withMarkedUpstreams(UPSTREAM_MARK, policy.upstreams()).withHeartbeat();
    }
}
