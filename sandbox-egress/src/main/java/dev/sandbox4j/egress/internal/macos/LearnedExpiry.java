package dev.sandbox4j.egress.internal.macos;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When each learned address leaves each pf table. pf tables have no per-entry timeout (unlike nftables set
 * elements), so the session removes entries itself: {@link #learned} records the latest expiry of an entry
 * (a second answer for the same address extends it, never shortens it), {@link #due} hands out the entries
 * whose time has come and forgets them. Pure bookkeeping, no clock of its own and no I/O; not thread-safe (the
 * session serialises it with its table updates).
 */
final class LearnedExpiry {
    private record Entry(String table, InetAddress address) { }

    private final Map<Entry, Instant> expiries = new HashMap<>();

    /** Records that {@code address} is in {@code table} until {@code until} (or later, if it already was). */
    void learned(String table, InetAddress address, Instant until) {
        expiries.merge(new Entry(table, address), until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Entries due at {@code now}, grouped by table in first-seen order; they are forgotten. */
    Map<String, List<InetAddress>> due(Instant now) {
        Map<String, List<InetAddress>> out = new LinkedHashMap<>();
        Iterator<Map.Entry<Entry, Instant>> it = expiries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Entry, Instant> e = it.next();
            if (!e.getValue().isAfter(now)) {
                out.computeIfAbsent(e.getKey().table(), t -> new ArrayList<>()).add(e.getKey().address());
                it.remove();
            }
        }
        return out;
    }

    int size() {
        return expiries.size();
    }
}
