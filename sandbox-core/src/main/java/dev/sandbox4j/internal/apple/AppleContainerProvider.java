package dev.sandbox4j.internal.apple;

import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Apple's {@code container} (macOS 26, Apple silicon): one lightweight VM per sandbox.
 *
 * <p>The CLI is, in this order: the one given to {@link Builder#cli(Path)}; the system property
 * {@value #CLI_PROPERTY}; the environment variable {@value #CLI_ENV}; {@code container} on PATH;
 * {@code /usr/local/bin/container} (the signed .pkg); {@code /opt/homebrew/bin/container}. Host checks (macOS 26+,
 * Apple silicon, no Rosetta, Virtualization.framework support) run unless {@link Builder#hostChecks(boolean)},
 * {@value #HOST_CHECKS_PROPERTY}{@code =false} or {@value #HOST_CHECKS_ENV}{@code =false} turn them off; with
 * them off and a CLI named, the provider drives any program that behaves like {@code container}, on any OS.
 */
public final class AppleContainerProvider implements RuntimeProvider {
    public static final String NAME = "apple-container";
    public static final String CLI_PROPERTY = "sandbox4j.container.cli";
    public static final String CLI_ENV = "SANDBOX4J_CONTAINER_CLI";
    public static final String HOST_CHECKS_PROPERTY = "sandbox4j.container.hostChecks";
    public static final String HOST_CHECKS_ENV = "SANDBOX4J_CONTAINER_HOST_CHECKS";
    /**
     * The oldest release Sandbox4j drives. 0.1.x has no {@code container system status} (it appeared in 0.2.0:
     * {@code Sources/CLI/System/SystemStatus.swift} is absent at tag 0.1.0 and present at 0.2.0), which is how the
     * backend finds a stopped service and starts it.
     */
    public static final AppleCliVersion MINIMUM = new AppleCliVersion(0, 2, 0);
    static final List<String> WELL_KNOWN = List.of("/usr/local/bin/container", "/opt/homebrew/bin/container");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    private static final String INSTALL = "install the signed .pkg from https://github.com/apple/container/releases "
            + "(it puts the CLI in /usr/local/bin)";

    private final Path cli;
    private final Boolean hostChecks;
    private final AppleHostFacts facts;
    private final AppleRunOptions options;

    /** The provider {@link java.util.ServiceLoader} creates: everything from properties, environment and PATH. */
    public AppleContainerProvider() {
        this(new Builder());
    }

    private AppleContainerProvider(Builder b) {
        this.cli = b.cli;
        this.hostChecks = b.hostChecks;
        this.facts = b.facts;
        this.options = b.options;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Below podman's 100: where both are usable (a stand-in CLI on Linux), podman stays the default. */
    @Override
    public int priority() {
        return 50;
    }

    /** Whether host checks run: builder, then system property, then environment; default on. */
    boolean hostChecks(HostEnvironment host) {
        if (hostChecks != null) {
            return hostChecks;
        }
        String value = System.getProperty(HOST_CHECKS_PROPERTY);
        if (value == null) {
            value = host.env(HOST_CHECKS_ENV).orElse("true");
        }
        return !value.strip().toLowerCase(Locale.ROOT).equals("false");
    }

    /** Where the CLI was asked to be, when it was asked for explicitly. */
    Optional<String> configuredCli(HostEnvironment host) {
        if (cli != null) {
            return Optional.of(cli.toString());
        }
        String property = System.getProperty(CLI_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Optional.of(property.strip());
        }
        return host.env(CLI_ENV).filter(s -> !s.isBlank()).map(String::strip);
    }

    /** The CLI to run, if one is there. */
    Optional<Path> resolveCli(HostEnvironment host) {
        Optional<String> configured = configuredCli(host);
        if (configured.isPresent()) {
            String c = configured.get();
            return host.findExecutable(c.contains("/") ? Path.of(c).toAbsolutePath().toString() : c);
        }
        Optional<Path> onPath = host.findExecutable("container");
        if (onPath.isPresent()) {
            return onPath;
        }
        for (String known : WELL_KNOWN) {
            Optional<Path> p = host.findExecutable(known);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /** Every reason the runtime cannot be used here, each with its fix; empty when it can. */
    List<String> problems(HostEnvironment host) {
        List<String> problems = new ArrayList<>();
        if (hostChecks(host)) {
            if (host.os() != HostEnvironment.Os.MACOS) {
                problems.add("Apple's container runs on macOS only, and this is " + host.os() + "; to drive a "
                        + "stand-in CLI here, set -D" + CLI_PROPERTY + "=PATH and -D" + HOST_CHECKS_PROPERTY + "=false");
                return problems;
            }
            problems.addAll(AppleHostCheck.problems(facts));
            if (!problems.isEmpty()) {
                return problems;
            }
        }
        if (resolveCli(host).isEmpty()) {
            problems.add(configuredCli(host)
                    .map(c -> "the configured container CLI \"" + c + "\" is not an executable file: fix "
                            + CLI_PROPERTY + " / " + CLI_ENV + ", or " + INSTALL)
                    .orElse("the container CLI is not on PATH, in /usr/local/bin or in /opt/homebrew/bin: " + INSTALL));
        }
        return problems;
    }

    @Override
    public boolean detect(HostEnvironment host) {
        try {
            return problems(host).isEmpty();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String unavailableReason(HostEnvironment host) {
        try {
            List<String> problems = problems(host);
            return problems.isEmpty() ? "apple-container looks usable" : String.join("; ", problems);
        } catch (RuntimeException | LinkageError e) {
            return "could not check the host (" + e + "): set -D" + HOST_CHECKS_PROPERTY + "=false to skip the checks";
        }
    }

    /**
     * Runs {@code container --version}, reads this Mac's VM limits, and starts the system service if it is down
     * ({@code container system start --enable-kernel-install}).
     */
    @Override
    public RuntimeBackend create(HostEnvironment host, CommandRunner runner) {
        List<String> problems = problems(host);
        if (!problems.isEmpty()) {
            throw RuntimeUnavailableException.of("Apple's container cannot be used here:",
                    Map.of(NAME, String.join("; ", problems)));
        }
        return createFor(resolveCli(host).orElseThrow().toString(), host, runner);
    }

    /** {@link #create} for a CLI path already resolved. */
    RuntimeBackend createFor(String path, HostEnvironment host, CommandRunner runner) {
        CommandResult r = runner.run(Command.builder(AppleContainerArgs.cliVersion(path))
                .unsetEnv(AppleContainerBackend.PLATFORM_ENV).timeout(VERSION_TIMEOUT).build());
        if (r.exitCode() != 0) {
            throw RuntimeUnavailableException.of("the container CLI is installed but does not answer:",
                    Map.of(NAME, "`" + path + " --version` exited " + r.exitCode() + ": "
                            + AppleErrors.message(r.stderr()) + "; reinstall: " + INSTALL));
        }
        AppleCliVersion version;
        try {
            version = AppleContainerParser.cliVersion(r.stdout());
        } catch (SandboxException e) {
            throw RuntimeUnavailableException.of("the container CLI's version is unknown:", Map.of(NAME, e.getMessage()));
        }
        if (!version.atLeast(MINIMUM)) {
            throw RuntimeUnavailableException.of("the container CLI is too old:",
                    Map.of(NAME, path + " is container " + version + ", and Sandbox4j needs " + MINIMUM
                            + " or later (" + version + " has no `container system status`, which Sandbox4j uses "
                            + "to find and start the system service): update it with `update-container.sh` (next "
                            + "to the CLI in /usr/local/bin), or " + INSTALL));
        }
        AppleHostCheck.Limits limits = hostChecks(host)
                ? AppleHostCheck.limits(facts)
                : new AppleHostCheck.Limits(host.cpuCount(), host.physicalMemory(), host.physicalMemory());
        AppleContainerBackend backend = new AppleContainerBackend(runner, new AppleContainerArgs(path, version),
                options, limits);
        backend.ensureServiceRunning();
        return backend;
    }

    /** Mutable builder for {@link AppleContainerProvider}. */
    public static final class Builder {
        private Path cli;
        private Boolean hostChecks;
        private AppleHostFacts facts = AppleHostFacts.NATIVE;
        private AppleRunOptions options = AppleRunOptions.DEFAULTS;

        private Builder() {
        }

        /** The CLI to run; default: property, environment, PATH, then the install locations. */
        public Builder cli(Path cli) {
            this.cli = cli;
            return this;
        }

        /** Whether to check macOS version, Apple silicon, Rosetta and VM support; default: on (or the property). */
        public Builder hostChecks(boolean enabled) {
            this.hostChecks = enabled;
            return this;
        }

        /** Where host facts come from; default {@link AppleHostFacts#NATIVE}. */
        public Builder hostFacts(AppleHostFacts facts) {
            this.facts = facts;
            return this;
        }

        /** Settings for every container; default {@link AppleRunOptions#DEFAULTS}. */
        public Builder runOptions(AppleRunOptions options) {
            this.options = options;
            return this;
        }

        public AppleContainerProvider build() {
            return new AppleContainerProvider(this);
        }
    }
}
