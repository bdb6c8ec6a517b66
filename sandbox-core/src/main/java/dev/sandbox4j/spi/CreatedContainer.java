package dev.sandbox4j.spi;

/**
 * A container that exists with its namespaces set up but whose workload has not run a single instruction yet:
 * what a backend hands to the step between creating and starting a container (see
 * {@link RuntimeBackend#start(LaunchRequest, java.time.Duration, java.util.function.Consumer)}).
 *
 * @param id               the runtime's id
 * @param name             the name Sandbox4j gave it
 * @param pid              the host pid of its first process (created, not yet running the workload)
 * @param networkNamespace the file that pins its network namespace (Podman's {@code SandboxKey}); empty when the
 *                         runtime reports none, then {@code /proc/<pid>/ns/net} names it
 */
public record CreatedContainer(String id, String name, long pid, String networkNamespace) {
    /**
     * Checks the pid and fills in the namespace path when the runtime reports none.
     *
     * @param id               the runtime's id
     * @param name             the name Sandbox4j gave it
     * @param pid              the host pid of its first process (created, not yet running the workload)
     * @param networkNamespace the file that pins its network namespace (Podman's {@code SandboxKey}); empty when the
     *                         runtime reports none, then {@code /proc/<pid>/ns/net} names it
     * @throws IllegalArgumentException if {@code pid} is not positive
     */
    public CreatedContainer {
        if (pid <= 0) {
            throw new IllegalArgumentException("a created container has a positive pid, not " + pid);
        }
        networkNamespace = networkNamespace == null || networkNamespace.isBlank()
                ? "/proc/" + pid + "/ns/net" : networkNamespace;
    }
}
