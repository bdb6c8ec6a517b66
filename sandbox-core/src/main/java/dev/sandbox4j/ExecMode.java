package dev.sandbox4j;

/**
 * How {@link Sandbox#exec(Exec, ExecListener)} reaches the sandbox: through one of the sandbox's persistent exec
 * sessions (fast, the default) or through one runtime CLI process per command (slow, fully independent).
 */
public enum ExecMode {
    /**
     * Through a persistent shell inside the sandbox, about 1 ms per command instead of 100+ ms. An exec the
     * session cannot run (another user than the sandbox's, an image without {@code /bin/sh}, all session channels
     * busy) silently takes the {@link #PLAIN} path instead. See {@code docs/performance.md}.
     */
    SESSION,
    /** One runtime CLI process per command (e.g. {@code podman exec}); nothing is shared between commands. */
    PLAIN
}
