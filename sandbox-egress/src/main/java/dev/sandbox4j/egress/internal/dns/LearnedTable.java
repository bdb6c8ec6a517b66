package dev.sandbox4j.egress.internal.dns;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses a sandbox has been given and until when, to cap how many one name and the whole sandbox can
 * unlock (fail closed: over a cap the answer is withheld). Thread-safe.
 */
final class LearnedTable {
    private final int perName;
    private final int total;
    private final Map<InetAddress, Long> all = new HashMap<>();
    private final Map<String, Map<InetAddress, Long>> byName = new HashMap<>();

    LearnedTable(int perName, int total) {
        this.perName = perName;
        this.total = total;
    }

    /** Records the addresses for the name until {@code expiresAt} (millis), or says which cap it would exceed. */
    synchronized String admit(String name, List<InetAddress> addresses, long now, long expiresAt) {
        Map<InetAddress, Long> mine = byName.computeIfAbsent(name, n -> new HashMap<>());
        mine.values().removeIf(e -> e <= now);
        long newForName = addresses.stream().filter(a -> !mine.containsKey(a)).count();
        if (mine.size() + newForName > perName) {
            if (mine.isEmpty()) {
                byName.remove(name);
            }
            return "the name would unlock " + (mine.size() + newForName) + " addresses; the cap per name is "
                    + perName;
        }
        long newOverall = addresses.stream().filter(a -> !all.containsKey(a)).count();
        if (all.size() + newOverall > total) {
            all.values().removeIf(e -> e <= now);
            byName.values().forEach(m -> m.values().removeIf(e -> e <= now));
            byName.values().removeIf(Map::isEmpty);
            newOverall = addresses.stream().filter(a -> !all.containsKey(a)).count();
            if (all.size() + newOverall > total) {
                return "the sandbox would hold " + (all.size() + newOverall) + " learned addresses; the cap is "
                        + total;
            }
        }
        for (InetAddress a : addresses) {
            all.merge(a, expiresAt, Math::max);
            byName.computeIfAbsent(name, n -> new HashMap<>()).merge(a, expiresAt, Math::max);
        }
        return null;
    }

    synchronized int size() {
        return all.size();
    }

    synchronized void clear() {
        all.clear();
        byName.clear();
    }
}
