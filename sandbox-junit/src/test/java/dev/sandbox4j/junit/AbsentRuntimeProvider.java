package dev.sandbox4j.junit;

import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;

/**
 * A runtime whose binary, {@code sandbox4j-absent-runtime}, is not installed: it lets the tests take the real
 * "runtime not usable" path through core (provider lookup, detection, {@code RuntimeUnavailableException}) on a
 * machine where Podman is present. Registered for the tests only, with the lowest priority so detection never
 * picks it.
 */
public final class AbsentRuntimeProvider implements RuntimeProvider {
    static final String NAME = "absent-runtime";
    static final String BINARY = "sandbox4j-absent-runtime";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public boolean detect(HostEnvironment host) {
        return host.findExecutable(BINARY).isPresent();
    }

    @Override
    public String unavailableReason(HostEnvironment host) {
        return BINARY + " not found on PATH (it is never installed: this runtime exists to test the missing case)";
    }

    @Override
    public RuntimeBackend create(HostEnvironment host, CommandRunner runner) {
        throw new IllegalStateException(NAME + " cannot create a backend");
    }
}
