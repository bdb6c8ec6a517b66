package dev.sandbox4j.egress.internal;

import dev.sandbox4j.egress.Cidr;
import java.util.List;

/**
 * Addresses a DNS answer must never point a sandbox at, beyond the built-in deny classes: the host's own
 * addresses, the sandbox network's gateway and subnet, other sandboxes' networks. Asked on every checked answer,
 * so it may change while the sandbox runs; it must be fast and thread-safe. An allow-cidr rule that covers an
 * address overrides this set.
 */
@FunctionalInterface
public interface HostAddressSource {

    /** No extra addresses. */
    HostAddressSource NONE = List::of;

    /** {@return the networks (single hosts as /32 or /128) to refuse; read at each decision} */
    List<Cidr> hostAddresses();

    /**
     * A fixed set.
     *
     * @param networks the networks to refuse; copied
     * @return a source that always gives that set
     */
    static HostAddressSource of(List<Cidr> networks) {
        List<Cidr> copy = List.copyOf(networks);
        return () -> copy;
    }
}
