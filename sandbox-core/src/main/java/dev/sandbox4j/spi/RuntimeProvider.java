package dev.sandbox4j.spi;

/**
 * A container runtime Sandbox4j can drive, found with {@link java.util.ServiceLoader}. Providers are tried in
 * descending {@link #priority()} when no runtime is named.
 */
public interface RuntimeProvider {

    /** The name users select it by, e.g. "podman". */
    String name();

    /** Higher is tried first when detecting. */
    int priority();

    /** Whether this runtime looks usable here. Cheap, free of side effects, never throws. */
    boolean detect(HostEnvironment host);

    /** Why {@link #detect} said no, phrased with the fix (e.g. "podman not found on PATH: install it with ..."). */
    String unavailableReason(HostEnvironment host);

    /** Creates the backend; may run the runtime's CLI to check versions. */
    RuntimeBackend create(HostEnvironment host, CommandRunner runner);
}
