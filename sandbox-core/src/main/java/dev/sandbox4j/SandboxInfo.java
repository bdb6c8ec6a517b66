package dev.sandbox4j;

import java.util.Map;
import java.util.Optional;

/**
 * One sandbox on this host as the runtime reports it, whoever started it: made by {@link Sandboxes#list()} and
 * {@link Sandboxes#find(String)}.
 *
 * @param id         the runtime's container id
 * @param name       the name Sandbox4j gave it ({@code sb4j-} and 12 hex digits)
 * @param runtime    the runtime that runs it, e.g. "podman"
 * @param owner      the owner id of the process that started it ({@code <pid>-<start millis>-<instance>}), or ""
 *                   when the container carries none
 * @param ownerAlive whether that process still runs (same pid, same start time)
 * @param detached   whether it was started with {@code detached(true)}: it outlives its owner and is never reaped
 * @param running    whether the container is running
 * @param ports      published TCP ports, container port to host port
 * @param labels     the labels its spec gave it (Sandbox4j's own {@code dev.sandbox4j.*} labels and the runtime's
 *                   {@code io.*}/{@code org.*} labels left out)
 */
public record SandboxInfo(String id, String name, String runtime, String owner, boolean ownerAlive,
                          boolean detached, boolean running, Map<Integer, Integer> ports, Map<String, String> labels) {
    /**
     * Copies the maps into unmodifiable ones.
     *
     * @param id         the runtime's container id
     * @param name       the name Sandbox4j gave it ({@code sb4j-} and 12 hex digits)
     * @param runtime    the runtime that runs it, e.g. "podman"
     * @param owner      the owner id of the process that started it ({@code <pid>-<start millis>-<instance>}), or ""
     *                   when the container carries none
     * @param ownerAlive whether that process still runs (same pid, same start time)
     * @param detached   whether it was started with {@code detached(true)}: it outlives its owner and is never reaped
     * @param running    whether the container is running
     * @param ports      published TCP ports, container port to host port
     * @param labels     the labels its spec gave it (Sandbox4j's own {@code dev.sandbox4j.*} labels and the runtime's
     *                   {@code io.*}/{@code org.*} labels left out)
     * @throws IllegalArgumentException if {@code id}, {@code name}, {@code runtime} or {@code owner} is null
     */
    public SandboxInfo {
        if (id == null || name == null || runtime == null || owner == null) {
            throw new IllegalArgumentException("SandboxInfo id, name, runtime and owner must not be null");
        }
        ports = Map.copyOf(ports);
        labels = Map.copyOf(labels);
    }

    /** {@return the owner's process id, or empty when the sandbox carries no owner id or one without a number} */
    public Optional<Long> ownerPid() {
        int dash = owner.indexOf('-');
        try {
            return owner.isEmpty() ? Optional.empty()
                    : Optional.of(Long.parseLong(dash < 0 ? owner : owner.substring(0, dash)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@return the first 12 characters of the id, as runtimes print it} */
    public String shortId() {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
