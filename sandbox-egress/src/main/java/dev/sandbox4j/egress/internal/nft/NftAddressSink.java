package dev.sandbox4j.egress.internal.nft;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.internal.LearnedAddressSink;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import java.time.Duration;
import java.util.List;

/**
 * Puts the addresses a DNS interceptor learned into one sandbox's nftables sets, in one transaction, before
 * the answer is released: any-port rules into {@code a4}/{@code a6}, listed ports into {@code a4p}/{@code a6p},
 * and for "every port except" rules the excluded ports into {@code d4p}/{@code d6p}. Elements expire after the
 * answer's TTL plus a grace.
 */
public final class NftAddressSink implements LearnedAddressSink {
    private final NftRuleset ruleset;
    private final NftShell shell;
    private final Duration grace;
    private final Duration wait;
    private final java.util.concurrent.atomic.AtomicInteger seq = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param grace how long an address stays usable beyond its TTL
     * @param wait  how long to wait for nft to confirm
     */
    public NftAddressSink(NftRuleset ruleset, NftShell shell, Duration grace, Duration wait) {
        this.ruleset = ruleset;
        this.shell = shell;
        this.grace = grace;
        this.wait = wait;
    }

    @Override
    public void allow(LearnedAddresses learned) {
        AllowedPorts ports = learned.ports();
        if (ports.isNone()) {
            return;
        }
        Duration timeout = learned.ttl().plus(grace);
        String command = ports.allExcept()
                ? ruleset.addElements(learned.addresses(), List.of(), timeout)
                : ruleset.addElements(learned.addresses(), ports.ports(), timeout);
        if (ports.allExcept() && !ports.ports().isEmpty()) {
            command += " " + ruleset.denyPorts(learned.addresses(), ports.ports(), timeout);
        }
        shell.apply(ruleset.ack(seq.incrementAndGet()) + " " + command, wait);
    }
}
