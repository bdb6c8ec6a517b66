package dev.sandbox4j.egress.internal.nft;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.internal.LearnedAddressSink;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Puts the addresses a DNS interceptor learned into one sandbox's nftables sets, in one transaction, before
 * the answer is released: any-port rules into {@code a4}/{@code a6}, listed ports into {@code a4p}/{@code a6p},
 * and for "every port except" rules the excluded ports into {@code d4p}/{@code d6p}. Elements expire after the
 * answer's TTL plus a grace.
 *
 * <p>A learned entry's lifetime is never shortened: the sink remembers when each element it programmed expires,
 * programs an element again only when the new expiry is later (by more than a second), and then sets the new
 * timeout atomically ({@link NftRuleset#refresh}). An answer whose addresses are all in force for at least as
 * long needs no nft command at all. Calls are serialised, so two answers for the same address cannot race into
 * a shorter timeout.
 */
public final class NftAddressSink implements LearnedAddressSink {
    private static final long SLACK = Duration.ofSeconds(1).toNanos();

    private final NftRuleset ruleset;
    private final NftShell shell;
    private final Duration grace;
    private final Duration wait;
    private final LongSupplier clock;
    private final AtomicInteger seq = new AtomicInteger();
    /** Set and element key to the {@link #clock} reading at which nft drops it (never later than nft's own). */
    private final Map<String, Long> expiries = new HashMap<>();
    private int pruneAt = 1024;
    private volatile String refusal;

    /**
     * A sink that adds learned addresses to the sets of {@code ruleset} through {@code shell}.
     *
     * @param ruleset the sandbox's ruleset, which writes the commands
     * @param shell   the nft process the commands go through
     * @param grace   how long an address stays usable beyond its TTL
     * @param wait    how long to wait for nft to confirm
     */
    public NftAddressSink(NftRuleset ruleset, NftShell shell, Duration grace, Duration wait) {
        this(ruleset, shell, grace, wait, System::nanoTime);
    }

    NftAddressSink(NftRuleset ruleset, NftShell shell, Duration grace, Duration wait, LongSupplier clock) {
        this.ruleset = ruleset;
        this.shell = shell;
        this.grace = grace;
        this.wait = wait;
        this.clock = clock;
    }

    /**
     * From now on every call fails with {@code reason}: nothing more is learned (the sandbox fails closed).
     *
     * @param reason why, for the error every later call throws
     */
    public void refuse(String reason) {
        refusal = reason;
    }

    @Override
    public synchronized void allow(LearnedAddresses learned) {
        String refused = refusal;
        if (refused != null) {
            throw new SandboxException("no addresses are learned any more: " + refused);
        }
        AllowedPorts ports = learned.ports();
        if (ports.isNone()) {
            return;
        }
        Duration timeout = learned.ttl().plus(grace);
        long seconds = Math.max(1, timeout.toSeconds());
        long now = clock.getAsLong();
        long until = now + Duration.ofSeconds(seconds).toNanos();
        Map<String, List<String>> due = new LinkedHashMap<>();
        for (InetAddress a : learned.addresses()) {
            if (ports.allExcept()) {
                want(due, NftRuleset.setFor(a, false, false), NftRuleset.key(a, 0), until);
                for (int p : ports.ports()) {
                    want(due, NftRuleset.setFor(a, true, true), NftRuleset.key(a, p), until);
                }
            } else {
                for (int p : ports.ports()) {
                    want(due, NftRuleset.setFor(a, true, false), NftRuleset.key(a, p), until);
                }
            }
        }
        if (due.isEmpty()) {
            return;  // every element is in force at least as long already
        }
        StringBuilder command = new StringBuilder(ruleset.ack(seq.incrementAndGet()));
        due.forEach((set, keys) -> command.append(' ').append(ruleset.refresh(set, keys, Duration.ofSeconds(seconds))));
        shell.apply(command.toString(), wait);
        due.forEach((set, keys) -> keys.forEach(k -> expiries.put(set + " " + k, until)));
        if (expiries.size() > pruneAt) {
            expiries.values().removeIf(t -> t - now < 0);
            pruneAt = Math.max(1024, 2 * expiries.size());
        }
    }

    private void want(Map<String, List<String>> due, String set, String key, long until) {
        Long current = expiries.get(set + " " + key);
        if (current == null || until - current > SLACK) {
            due.computeIfAbsent(set, s -> new ArrayList<>()).add(key);
        }
    }

    /** How many elements the sink believes are in force (for tests). */
    synchronized int tracked() {
        long now = clock.getAsLong();
        return (int) expiries.values().stream().filter(t -> t - now > 0).count();
    }
}
