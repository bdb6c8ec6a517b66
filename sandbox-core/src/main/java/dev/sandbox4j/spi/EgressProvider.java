package dev.sandbox4j.spi;

import dev.sandbox4j.SandboxSpec;
import java.util.Map;

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
     * Sets up enforcement for one sandbox before its container exists: its own network, DNS interceptor and
     * firewall rules. On failure, everything it made is removed before it throws.
     */
    EgressSession prepare(SandboxSpec spec, RuntimeBackend backend, String sandboxName, Map<String, String> labels);
}
