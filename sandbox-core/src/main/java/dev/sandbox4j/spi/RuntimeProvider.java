package dev.sandbox4j.spi;

/**
 * A container runtime Sandbox4j can drive, found with {@link java.util.ServiceLoader}. Providers are tried in
 * descending {@link #priority()} when no runtime is named.
 */
public interface RuntimeProvider {

    /** {@return the name users select it by, e.g. {@code "podman"}} */
    String name();

    /** {@return the detection priority: higher is tried first} */
    int priority();

    /**
     * Whether this runtime looks usable here. Cheap, free of side effects, never throws.
     *
     * @param host the facts about this machine
     * @return {@code true} if {@link #create} is worth trying
     */
    boolean detect(HostEnvironment host);

    /**
     * Why {@link #detect} said no, phrased with the fix (e.g. "podman not found on PATH: install it with ...").
     *
     * @param host the facts about this machine
     * @return the reason with its fix
     */
    String unavailableReason(HostEnvironment host);

    /**
     * Creates the backend; may run the runtime's CLI to check versions.
     *
     * @param host   the facts about this machine
     * @param runner the runner every CLI call of the backend must go through
     * @return the backend
     * @throws dev.sandbox4j.RuntimeUnavailableException if the runtime turns out to be unusable (for example its CLI
     *         does not answer)
     */
    RuntimeBackend create(HostEnvironment host, CommandRunner runner);
}
