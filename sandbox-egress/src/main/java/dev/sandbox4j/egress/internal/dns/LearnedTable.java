package dev.sandbox4j.egress.internal.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses a sandbox has been given and until when they stay open at the enforcer, to cap how many one name
 * and the whole sandbox can unlock. "Until when" is the caller's business: it must be the moment the enforcer
 * closes the address (its TTL plus the enforcer's grace), never just the TTL, or the caps would count only part
 * of what is open. Over a cap, new addresses are withheld (fail closed); addresses the name already holds are
 * still admitted, so a name at its cap keeps working on what it has. Thread-safe.
 */
final class LearnedTable {
    /** Admissions between two sweeps of every name's expired entries (bounds memory under unique-name floods). */
    private static final int SWEEP_EVERY = 1024;

    private final int perName;
    private final int total;
    private final Map<InetAddress, Long> all = new HashMap<>();
    private final Map<String, Map<InetAddress, Long>> byName = new HashMap<>();
    private int sinceSweep;

    LearnedTable(int perName, int total) {
        this.perName = perName;
        this.total = total;
    }

    /**
     * What {@link #admit} let through.
     *
     * @param admitted the addresses now counted as open, in answer order
     * @param withheld how many of the answer's addresses were not admitted
     * @param cap      the first cap that withheld an address, as a sentence; null when none did
     */
    record Admission(List<InetAddress> admitted, int withheld, String cap) {
        Admission {
            admitted = List.copyOf(admitted);
        }
    }

    /**
     * Counts the addresses as open for the name until {@code openUntil} (millis), as far as the caps allow. An
     * address the name already holds is always admitted (its expiry only grows); a new one only while both the
     * name and the sandbox stay within their caps.
     */
    synchronized Admission admit(String name, List<InetAddress> addresses, long now, long openUntil) {
        if (++sinceSweep >= SWEEP_EVERY) {
            sweep(now);
        }
        Map<InetAddress, Long> mine = byName.computeIfAbsent(name, n -> new HashMap<>());
        mine.values().removeIf(e -> e <= now);
        if (addresses.stream().anyMatch(a -> !all.containsKey(a))
                && all.size() + addresses.size() > total) {
            sweep(now);
        }
        List<InetAddress> admitted = new ArrayList<>();
        String cap = null;
        int nameOpen = mine.size();
        int sandboxOpen = all.size();
        for (InetAddress a : addresses) {
            if (mine.containsKey(a)) {
                admitted.add(a);
                continue;
            }
            if (nameOpen >= perName) {
                cap = cap != null ? cap : "the name holds " + nameOpen + " open addresses; the cap per name is "
                        + perName;
                continue;
            }
            boolean newOverall = !all.containsKey(a);
            if (newOverall && sandboxOpen >= total) {
                cap = cap != null ? cap : "the sandbox holds " + sandboxOpen + " open learned addresses; the cap"
                        + " is " + total;
                continue;
            }
            admitted.add(a);
            mine.put(a, Long.MIN_VALUE);
            nameOpen++;
            if (newOverall) {
                all.put(a, Long.MIN_VALUE);
                sandboxOpen++;
            }
        }
        for (InetAddress a : admitted) {
            all.merge(a, openUntil, Math::max);
            mine.merge(a, openUntil, Math::max);
        }
        if (mine.isEmpty()) {
            byName.remove(name);
        }
        return new Admission(admitted, addresses.size() - admitted.size(), cap);
    }

    /** Forgets every entry whose enforcer expiry has passed. */
    private void sweep(long now) {
        sinceSweep = 0;
        all.values().removeIf(e -> e <= now);
        byName.values().forEach(m -> m.values().removeIf(e -> e <= now));
        byName.values().removeIf(Map::isEmpty);
    }

    /** Addresses counted as open (entries past their expiry may linger until the next sweep). */
    synchronized int size() {
        return all.size();
    }

    /** Names with entries (expired ones may linger until the next sweep). */
    synchronized int names() {
        return byName.size();
    }

    synchronized void clear() {
        all.clear();
        byName.clear();
    }
}
