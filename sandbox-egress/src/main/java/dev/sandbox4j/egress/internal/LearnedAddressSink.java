package dev.sandbox4j.egress.internal;

/**
 * The seam between the DNS interceptor and the data plane: the interceptor calls {@link #allow} synchronously,
 * before it releases an allowed answer, so the sandbox's first connection to a learned address is already
 * permitted (no first-packet race). The call has a bounded wait (the interceptor's {@code gateTimeout}); if it
 * throws, or does not return in time, the sandbox gets SERVFAIL instead of the answer and a FAILED audit event
 * is recorded. Implementations must be thread-safe (several queries may be in flight) and should add all
 * addresses of one call in one atomic update (for nftables: one {@code nft -f} batch, with element timeouts of
 * {@link LearnedAddresses#ttl()}).
 */
@FunctionalInterface
public interface LearnedAddressSink {

    /** Accepts everything without enforcing anything: for tests and for platforms without a data plane. */
    LearnedAddressSink NONE = learned -> { };

    /**
     * Makes the addresses reachable from the sandbox for {@code learned.ttl()} on {@code learned.ports()}, and
     * returns only once that is in force.
     *
     * @param learned the addresses, their TTL and allowed ports
     * @throws Exception when the addresses could not be programmed; the answer is then withheld
     */
    void allow(LearnedAddresses learned) throws Exception;
}
