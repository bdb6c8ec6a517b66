package dev.sandbox4j.spi;

import dev.sandbox4j.egress.EgressPolicy;

/**
 * Builds the firewall rules that police one sandbox from inside its own network namespace, for runtimes where
 * nothing outside the sandbox can filter its traffic (a Kubernetes pod): default-deny output, every port-53
 * packet redirected to the sandbox's DNS interceptor on loopback, TCP only to addresses the interceptor learned or
 * the policy's CIDRs allow, forbidden address classes refused. Found with {@link java.util.ServiceLoader} (the
 * {@code sandbox-egress} module provides one). Pure: no I/O.
 */
public interface NamespaceRules {

    /**
     * An {@code nft -f} script for an empty network namespace that enforces {@code policy}, with DNS redirected
     * to the interceptor listening on 127.0.0.1:{@code interceptorPort} inside the same namespace.
     *
     * @param policy          the policy to enforce
     * @param interceptorPort the interceptor's port on loopback, 1 to 65535
     * @return the script text
     */
    String ruleset(EgressPolicy policy, int interceptorPort);
}
