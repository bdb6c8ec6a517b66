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

    /**
     * Whether this provider can police sandboxes of the given backend on this host; never throws.
     *
     * @param backend the runtime backend the sandbox will run on
     * @param host    the facts about this machine
     * @return {@code true} if {@link #prepare} can be called for that backend
     */
    boolean supports(RuntimeBackend backend, HostEnvironment host);

    /**
     * Why {@link #supports} said no, with the fix.
     *
     * @param backend the runtime backend asked about
     * @param host    the facts about this machine
     * @return one or more sentences naming what is missing and how to get it
     */
    String unsupportedReason(RuntimeBackend backend, HostEnvironment host);

    /**
     * Sets up enforcement for one sandbox before its container exists (say, its own network); what needs the
     * container's namespaces comes later, in {@link EgressSession#beforeStart}. On failure, everything it made is
     * removed before it throws.
     *
     * @param spec        the sandbox's spec, whose egress policy to enforce
     * @param backend     the runtime backend the sandbox will run on
     * @param sandboxName the container name the sandbox will get
     * @param labels      ownership labels to put on what it creates, so orphan reaping finds it
     * @return the session; the caller closes it after the container is removed
     * @throws dev.sandbox4j.SandboxStartException if enforcement cannot be set up
     */
    EgressSession prepare(SandboxSpec spec, RuntimeBackend backend, String sandboxName, Map<String, String> labels);

    /**
     * The sandboxes (by name) this provider keeps host state for outside the runtime, such as firewall tables.
     * Orphan reaping calls this <em>before</em> it lists the runtime's containers and networks, so a sandbox that
     * is being started meanwhile is never taken for an orphan. Default: none.
     *
     * @param backend the runtime backend being reaped
     * @return sandbox names; empty when there is no such state
     */
    default Set<String> sandboxesWithHostState(RuntimeBackend backend) {
        return Set.of();
    }

    /**
     * Removes the host state of sandboxes that are gone: their owner process died and their containers are
     * already removed. Called between container removal and network removal, because removing rules while a
     * container still runs would open its egress. Default: nothing.
     *
     * @param backend       the runtime backend being reaped
     * @param goneSandboxes names of sandboxes whose containers are gone
     * @return what it removed, one entry per item
     */
    default List<String> reap(RuntimeBackend backend, Set<String> goneSandboxes) {
        return List.of();
    }
}
