package dev.sandbox4j.egress.internal.dns;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Allowed answers kept until their TTL ends, keyed by name and type, so repeated lookups need no upstream. Holds at
 * most {@code capacity} entries: when full, expired entries are dropped, and if it is still full the new answer is
 * not cached. Thread-safe.
 */
final class AnswerCache {
    /**
     * One cached answer.
     *
     * @param chain     the CNAME targets, as released
     * @param addresses the canonical rdata of the addresses, as released
     * @param rule      the rule that allowed the name
     * @param expiresAt when the answer's TTL ends (clock millis)
     */
    record Entry(List<String> chain, List<byte[]> addresses, String rule, long expiresAt) {
        Entry {
            chain = List.copyOf(chain);
            addresses = List.copyOf(addresses);
        }
    }

    private final int capacity;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    AnswerCache(int capacity) {
        this.capacity = capacity;
    }

    static String key(String host, int type) {
        return host + "/" + type;
    }

    /** The live entry for the key, or null. */
    Entry get(String key, long now) {
        Entry e = entries.get(key);
        return e != null && e.expiresAt() > now ? e : null;
    }

    void put(String key, Entry entry, long now) {
        if (capacity <= 0) {
            return;
        }
        if (entries.size() >= capacity) {
            entries.values().removeIf(e -> e.expiresAt() <= now);
        }
        if (entries.size() < capacity) {
            entries.put(key, entry);
        }
    }

    void clear() {
        entries.clear();
    }
}
