package dev.sandbox4j.spi;

import dev.sandbox4j.SandboxSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Enforces a sandbox's {@link dev.sandbox4j.egress.EgressPolicy}, found with {@link java.util.ServiceLoader}
 * (the {@code sandbox-egress} module provides one). Core calls it around every start of a sandbox whose policy
 * is not allow-all.
 */
public interface EgressProvider {

    /** Whether this provider can police sandboxes of the given backend on this host; never throws. */
    boolean supports(RuntimeBackend backend, HostEnvironment host);

    /** Why {@link #supports} said no, with the fix. */
    String unsupportedReason(RuntimeBackend backend, HostEnvironment host);

    /**
     * Sets up enforcement for one sandbox before its container exists (say, its own network); what needs the
     * container's namespaces comes later, in {@link EgressSession#beforeStart}. On failure, everything it made is
     * removed before it throws.
     */
    EgressSession prepare(SandboxSpec spec, RuntimeBackend backend, String sandboxName, Map<String, String> labels);

    /**
     * The sandboxes (by name) this provider keeps host state for outside the runtime, such as firewall tables.
     * Orphan reaping calls this <em>before</em> it lists the runtime's containers and networks, so a sandbox that
     * is being started meanwhile is never taken for an orphan. Default: none.
     */
    default Set<String> sandboxesWithHostState(RuntimeBackend backend) {
        return Set.of();
    }

    /**
     * Removes the host state of sandboxes that are gone: their owner process died and their containers are
     * already removed. Called between container removal and network removal, because removing rules while a
     * container still runs would open its egress. Returns what it removed, one entry per item. Default: nothing.
     */
    default List<String> reap(RuntimeBackend backend, Set<String> goneSandboxes) {
        return List.of();
    }
}
