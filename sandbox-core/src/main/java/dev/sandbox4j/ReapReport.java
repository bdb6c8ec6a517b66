package dev.sandbox4j;

import java.util.List;

/**
 * What one run of orphan reaping removed: the leftovers of JVMs that died without closing their sandboxes.
 * Made by {@link Sandboxes#reapOrphans()}; {@link Sandboxes#orphans()} makes one of what it would remove, and
 * {@link Sandboxes#remove(String)} one of what removing a single sandbox removed.
 *
 * @param containers sandbox containers removed, by name
 * @param hostState  per-sandbox host state removed outside the runtime, such as firewall tables, by name
 * @param networks   sandbox networks removed, by name
 * @param failures   what could not be removed and why; those are retried by the next run
 */
public record ReapReport(List<String> containers, List<String> hostState, List<String> networks,
                         List<String> failures) {
    /** A run that found nothing. */
    public static final ReapReport NOTHING = new ReapReport(List.of(), List.of(), List.of(), List.of());

    /**
     * Copies the lists into unmodifiable ones.
     *
     * @param containers sandbox containers removed, by name
     * @param hostState  per-sandbox host state removed outside the runtime, such as firewall tables, by name
     * @param networks   sandbox networks removed, by name
     * @param failures   what could not be removed and why; those are retried by the next run
     */
    public ReapReport {
        containers = List.copyOf(containers);
        hostState = List.copyOf(hostState);
        networks = List.copyOf(networks);
        failures = List.copyOf(failures);
    }

    /** {@return how many containers, host state items and networks were removed, failures not counted} */
    public int removed() {
        return containers.size() + hostState.size() + networks.size();
    }

    /** {@return whether nothing was removed and nothing failed} */
    public boolean isEmpty() {
        return removed() == 0 && failures.isEmpty();
    }
}
