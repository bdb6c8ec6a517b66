package dev.sandbox4j;

import dev.sandbox4j.internal.Reaper;
import dev.sandbox4j.internal.Runtimes;
import java.util.Optional;

/**
 * Operations on all the sandboxes of a host rather than on one: orphan reaping (what the {@code sandbox gc}
 * command runs).
 *
 * <pre>{@code
 * ReapReport report = Sandboxes.reapOrphans();
 * report.containers();   // e.g. [sb4j-3f2a...], left behind by a JVM that was killed
 * }</pre>
 */
public final class Sandboxes {
    private Sandboxes() {
    }

    /**
     * Removes everything a dead JVM left behind on the detected runtime: containers first, then host state such as
     * firewall tables, then networks. A resource is an orphan when the process named in its owner label
     * ({@code dev.sandbox4j.owner = <pid>-<start millis>-<instance>}) no longer runs; detached sandboxes and
     * resources of live JVMs are never touched. The first {@code start()} in each JVM runs this once in the
     * background (switch off with {@code -Dsandbox4j.reapOnStart=false}).
     */
    public static ReapReport reapOrphans() {
        return Reaper.reap(Runtimes.backend(Optional.empty()));
    }

    /** As {@link #reapOrphans()}, on the named runtime ("podman", "apple-container"). */
    public static ReapReport reapOrphans(String runtime) {
        return Reaper.reap(Runtimes.backend(Optional.of(runtime)));
    }
}
