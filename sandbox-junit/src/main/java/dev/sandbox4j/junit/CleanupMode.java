package dev.sandbox4j.junit;

/**
 * When the extension removes a sandbox it started, modelled on JUnit's {@code @TempDir} cleanup modes. A kept
 * sandbox is logged (WARN, logger {@code dev.sandbox4j.junit}) and published as a report entry
 * {@code sandbox4j.kept} with its container id, so it can be inspected and removed by hand.
 */
public enum CleanupMode {
    /**
     * Use the configuration parameter {@value SandboxExtension#DEFAULT_CLEANUP_MODE_PROPERTY}
     * ({@code always}, {@code on_success} or {@code never}); {@link #ALWAYS} when it is not set.
     */
    DEFAULT,
    /** Remove the sandbox when its scope ends, whatever happened. */
    ALWAYS,
    /** Remove it when its scope ends without a failure; keep it when a test that used it failed. */
    ON_SUCCESS,
    /** Never remove it: for debugging only. */
    NEVER
}
