package dev.sandbox4j.egress.internal.macos;

import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import java.util.Map;
import java.util.Optional;

/**
 * Egress control for Apple's {@code container} on macOS, without root: the sandbox's VM gets no network
 * interface ({@code --network none}), boots from an init image that wraps Apple's {@code vminitd} with
 * Sandbox4j's guest piece, and reaches the outside only through a unix socket to this JVM, which applies the
 * policy (see {@link MacEgressSession}). Needs container 0.12.0 or later ({@code --cap-drop}; {@code --init-image}
 * is 0.10.0) — the Apple backend refuses older releases with the release to upgrade to.
 */
public final class MacEgressProvider implements EgressProvider {
    /** The runtime this provider polices (the Apple backend's name). */
    static final String RUNTIME = "apple-container";

    private final CommandRunner runner;
    private final MacInitImage.Source images;

    /** The provider {@link java.util.ServiceLoader} creates. */
    public MacEgressProvider() {
        this(CommandRunner.system(), null);
    }

    /** For tests: another command runner and another source of the init image. */
    MacEgressProvider(CommandRunner runner, MacInitImage.Source images) {
        this.runner = runner;
        this.images = images;
    }

    @Override
    public boolean supports(RuntimeBackend backend, HostEnvironment host) {
        try {
            return problem(backend, host).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String unsupportedReason(RuntimeBackend backend, HostEnvironment host) {
        return problem(backend, host).orElse("the relay enforcer can police this sandbox");
    }

    private static Optional<String> problem(RuntimeBackend backend, HostEnvironment host) {
        if (!backend.name().equals(RUNTIME) || host.os() != HostEnvironment.Os.MACOS) {
            return Optional.of("the relay enforcer polices Apple's container on macOS, not " + backend.name()
                    + " on " + host.os());
        }
        Optional<String> capDrop = backend.capDropUnsupportedReason();
        if (capDrop.isPresent()) {
            return capDrop;
        }
        return Optional.empty();
    }

    @Override
    public EgressSession prepare(SandboxSpec spec, RuntimeBackend backend, String sandboxName,
                                 Map<String, String> labels) {
        MacInitImage.Source source = images != null ? images : MacInitImage.building(runner, HostEnvironment.current());
        return MacEgressSession.open(spec.egress(), backend, sandboxName, source);
    }
}
