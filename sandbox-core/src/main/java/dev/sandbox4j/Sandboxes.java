package dev.sandbox4j;

import java.util.List;
import java.util.Optional;

/**
 * Operations on all the sandboxes of a host rather than on one: listing, finding, removing, and orphan reaping
 * (what the {@code sandbox ls}, {@code inspect}, {@code rm} and {@code gc} commands run). Each works on the
 * detected runtime of {@link SandboxRuntime#shared()}; {@code SandboxRuntime.shared().withRuntime("podman")} (or
 * an instance of your own) has the same operations on a named runtime.
 *
 * <pre>{@code
 * for (SandboxInfo s : Sandboxes.list()) {
 *     System.out.println(s.name() + (s.orphaned() ? " (orphaned)" : ""));
 * }
 * ReapReport wouldGo = Sandboxes.orphans();     // a dry run
 * ReapReport report = Sandboxes.reapOrphans();  // e.g. containers [sb4j-3f2a...], left by a killed JVM
 * }</pre>
 */
public final class Sandboxes {
    private Sandboxes() {
    }

    /**
     * Every sandbox on the detected runtime, running or not, whoever started it (found by Sandbox4j's
     * {@code dev.sandbox4j.managed} label).
     *
     * @return the sandboxes, in the runtime's order; empty when there are none
     * @throws RuntimeUnavailableException if no container runtime can be used on this machine
     */
    public static List<SandboxInfo> list() {
        return SandboxRuntime.shared().list();
    }

    /**
     * The sandbox whose name or id is {@code idOrPrefix}, or whose id starts with it (at least 3 characters).
     *
     * @param idOrPrefix a sandbox name, id, or id prefix of at least 3 characters
     * @return the sandbox, or empty when none matches
     * @throws SandboxConfigException when the prefix matches several sandboxes (the message says to give more)
     */
    public static Optional<SandboxInfo> find(String idOrPrefix) {
        return SandboxRuntime.shared().find(idOrPrefix);
    }

    /**
     * Removes one sandbox by name, id or unique id prefix, whoever started it: its container first, then the
     * host state of its egress control (such as its firewall table), then its networks. An owner that still runs
     * finds its sandbox gone (its {@code exec} fails; its {@code close()} has nothing left to remove).
     *
     * @param idOrName a sandbox name, id, or unique id prefix of at least 3 characters
     * @return what was removed, and what could not be
     * @throws SandboxConfigException when nothing matches, or a prefix matches several sandboxes
     */
    public static ReapReport remove(String idOrName) {
        return SandboxRuntime.shared().remove(idOrName);
    }

    /**
     * A dry run of {@link #reapOrphans()}: what it would remove now, by the same rule, removing nothing. Host
     * state is reported by sandbox name.
     *
     * @return what would be removed; its {@code failures} are empty
     */
    public static ReapReport orphans() {
        return SandboxRuntime.shared().orphans();
    }

    /**
     * Removes everything a dead JVM left behind on the detected runtime: containers first, then host state such as
     * firewall tables, then networks. A resource is an orphan when the process named in its owner label
     * ({@code dev.sandbox4j.owner = <pid>-<start millis>-<instance>}) no longer runs; detached sandboxes and
     * resources of live JVMs are never touched. The first {@code start()} in each JVM runs this once in the
     * background (switch off with {@code -Dsandbox4j.reapOnStart=false}).
     *
     * @return what was removed, and what could not be (retried by the next run)
     */
    public static ReapReport reapOrphans() {
        return SandboxRuntime.shared().reapOrphans();
    }

    /**
     * As {@link #reapOrphans()}, on the named runtime.
     *
     * @param runtime the runtime's name, such as {@code "podman"} or {@code "apple-container"}
     * @return what was removed, and what could not be
     * @throws SandboxConfigException if no runtime of that name is known
     */
    public static ReapReport reapOrphans(String runtime) {
        return SandboxRuntime.shared().withRuntime(runtime).reapOrphans();
    }
}
