package dev.sandbox4j.egress.internal;

import dev.sandbox4j.egress.AllowedPorts;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Addresses the DNS interceptor is about to release to a sandbox for one allowed name: what the enforcer must
 * open, for how long and on which ports, before the answer leaves.
 *
 * @param qname      the name the sandbox asked for, lowercase, absolute (trailing dot)
 * @param cnameChain the CNAME targets followed from {@code qname}, in order (all allowed by policy); may be empty
 * @param addresses  the checked addresses (IPv4 and IPv6), distinct, never empty
 * @param ttl        how long the sandbox may use them: the answer's TTL after the floor and cap
 * @param ports      the destination ports the policy allows for every name on the chain ({@code qname} and each
 *                   CNAME target): a port is listed only if each of them allows it
 */
public record LearnedAddresses(String qname, List<String> cnameChain, List<InetAddress> addresses, Duration ttl,
        AllowedPorts ports) {
    /**
     * Checks the required components and copies the lists.
     *
     * @param qname      the name the sandbox asked for, lowercase, absolute (trailing dot)
     * @param cnameChain the CNAME targets followed from {@code qname}, in order (all allowed by policy); may be empty
     * @param addresses  the checked addresses (IPv4 and IPv6), distinct, never empty
     * @param ttl        how long the sandbox may use them: the answer's TTL after the floor and cap
     * @param ports      the destination ports the policy allows for every name on the chain ({@code qname} and each
     *                   CNAME target): a port is listed only if each of them allows it
     * @throws IllegalArgumentException if {@code qname}, {@code ttl} or {@code ports} is null
     */
    public LearnedAddresses {
        if (qname == null || ttl == null || ports == null) {
            throw new IllegalArgumentException("qname, ttl and ports must not be null");
        }
        cnameChain = List.copyOf(cnameChain);
        addresses = List.copyOf(addresses);
    }
}
