package dev.sandbox4j.egress.internal.macos;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import java.util.Map;
import java.util.Optional;

/**
 * Egress control for Apple's {@code container} on macOS: a network per sandbox, a DNS interceptor per sandbox on
 * 127.0.0.1, and a host pf anchor per sandbox keyed on that network's subnets (see {@link PfRuleset}). Needs root
 * (pfctl writes {@code /dev/pf}), {@code /sbin/pfctl}, and container 0.12.0 or later (for {@code --cap-drop}).
 *
 * <p>The system property {@value #PFCTL_PROPERTY} names another pfctl; it is meant for a scripted stand-in in
 * tests, so with it set the provider also works off macOS and without root.
 */
public final class MacEgressProvider implements EgressProvider {
    /** System property naming a pfctl stand-in (tests); default {@code /sbin/pfctl}. */
    public static final String PFCTL_PROPERTY = "sandbox4j.pfctl";
    static final String PFCTL = "/sbin/pfctl";
    /** The name of the runtime this provider polices (the apple-container backend in sandbox-core). */
    static final String APPLE_CONTAINER = "apple-container";

    private final CommandRunner runner;
    private final MacEgressSession.Settings settings;

    /** The provider {@link java.util.ServiceLoader} creates. */
    public MacEgressProvider() {
        this(CommandRunner.system(), MacEgressSession.Settings.DEFAULT);
    }

    MacEgressProvider(CommandRunner runner, MacEgressSession.Settings settings) {
        this.runner = runner;
        this.settings = settings;
    }

    private static Optional<String> standIn() {
        String p = System.getProperty(PFCTL_PROPERTY);
        return p == null || p.isBlank() ? Optional.empty() : Optional.of(p.strip());
    }

    private static String pfctl() {
        return standIn().orElse(PFCTL);
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
        return problem(backend, host).orElse("the pf enforcer can police this sandbox");
    }

    private static Optional<String> problem(RuntimeBackend backend, HostEnvironment host) {
        boolean standIn = standIn().isPresent();
        if (!backend.name().equals(APPLE_CONTAINER) || (host.os() != HostEnvironment.Os.MACOS && !standIn)) {
            return Optional.of("the pf enforcer polices Apple's container on macOS, not " + backend.name() + " on "
                    + host.os());
        }
        Optional<String> capDrop = backend.capDropUnsupportedReason();
        if (capDrop.isPresent()) {
            return capDrop;
        }
        if (host.findExecutable(pfctl()).isEmpty()) {
            return Optional.of(pfctl() + " is not an executable file" + (standIn ? ": fix -D" + PFCTL_PROPERTY : ""));
        }
        if (!standIn && !"root".equals(System.getProperty("user.name"))) {
            return Optional.of("egress control on macOS programs pf, which needs root: run the JVM as root "
                    + "(sudo java ...), or use EgressPolicy.allowAll()");
        }
        return Optional.empty();
    }

    @Override
    public EgressSession prepare(SandboxSpec spec, RuntimeBackend backend, String sandboxName,
                                 Map<String, String> labels) {
        Optional<String> p = problem(backend, HostEnvironment.current());
        if (p.isPresent()) {
            throw new SandboxConfigException(p.get());
        }
        return MacEgressSession.open(spec.egress(), backend, sandboxName, labels, new Pfctl(runner, pfctl()), settings);
    }
}
