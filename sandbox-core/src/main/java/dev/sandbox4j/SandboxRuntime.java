package dev.sandbox4j;

import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.internal.SandboxDirectory;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The machinery that starts and finds sandboxes: the process runner every runtime backend uses, the runtime
 * providers, the host facts, and one backend per runtime, made on first use. {@link #shared()} is the default
 * that {@link SandboxSpec#start()}, {@link Sandbox#attach(String)} and {@link Sandboxes} use; build your own to
 * swap a part, for example a {@link CommandRunner} that records or scripts every runtime CLI call in a test:
 *
 * <pre>{@code
 * SandboxRuntime runtime = SandboxRuntime.builder()
 *         .commandRunner(recordingRunner)     // default: CommandRunner.system()
 *         .runtime("podman")                  // default: detected
 *         .build();
 * try (Sandbox sandbox = runtime.start(Sandbox.builder().image("localhost/busybox:latest").build())) {
 *     sandbox.exec("true");
 * }
 * runtime.list();                             // the sandboxes on podman, whoever started them
 * }</pre>
 *
 * Instances are immutable and safe for use from several threads; each keeps its own backends.
 */
public final class SandboxRuntime {
    private static volatile SandboxRuntime shared;

    private final Runtimes runtimes;
    private final Optional<String> runtime;

    private SandboxRuntime(Runtimes runtimes, Optional<String> runtime) {
        this.runtimes = runtimes;
        this.runtime = runtime;
    }

    /**
     * {@return the default instance: real processes, every runtime provider on the class path, this host, detection;
     * made on first use}
     */
    public static SandboxRuntime shared() {
        SandboxRuntime s = shared;
        if (s == null) {
            synchronized (SandboxRuntime.class) {
                s = shared;
                if (s == null) {
                    s = new SandboxRuntime(Runtimes.shared(), Optional.empty());
                    shared = s;
                }
            }
        }
        return s;
    }

    /** {@return a builder with every part at its default} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * This instance with another default runtime, sharing its process runner, providers and backends. Specs that
     * name a runtime still get theirs.
     *
     * @param name the runtime's name, such as {@code "podman"}
     * @return the derived instance
     * @throws SandboxConfigException when no provider has that name
     */
    public SandboxRuntime withRuntime(String name) {
        runtimes.requireKnown(name);
        return new SandboxRuntime(runtimes, Optional.of(name));
    }

    /** {@return the runtime used when a spec names none; empty means detected} */
    public Optional<String> runtime() {
        return runtime;
    }

    /** {@return the process runner every backend of this instance uses} */
    public CommandRunner commandRunner() {
        return runtimes.runner();
    }

    /**
     * The backend of this instance's runtime (detected when none is named), made on first use: for what the
     * runtime SPI offers beyond {@link Sandbox}, such as an exec whose raw byte streams the caller owns
     * ({@link RuntimeBackend#openExec}) on a sandbox that another process started.
     *
     * @return the backend, shared by every caller of this instance
     * @throws RuntimeUnavailableException when no runtime is usable (listing each one tried and why)
     */
    public RuntimeBackend backend() {
        return runtimes.backendFor(runtime);
    }

    /** {@return the names of the runtimes this instance knows, highest priority first} */
    public List<String> runtimeNames() {
        return runtimes.runtimeProviders().stream().map(RuntimeProvider::name).toList();
    }

    /**
     * Starts a sandbox from a spec: checks it against this host (mount sources and Dockerfile exist, limits fit),
     * then prepares the image, egress control and container on the spec's runtime (or this instance's).
     *
     * @param spec the spec to start
     * @return the running sandbox; the caller owns it and must close it
     * @throws SandboxConfigException if the spec does not fit this host
     * @throws RuntimeUnavailableException if no container runtime can be used
     * @throws SandboxStartException if the image build, container start or egress setup fails; everything made for
     *         the sandbox has been removed
     */
    public Sandbox start(SandboxSpec spec) {
        return runtimes.start(spec, runtime);
    }

    /**
     * As {@link Sandbox#attach(String)}, on this instance's runtime.
     *
     * @param idOrName the container id or the {@code sb4j-} name of a detached sandbox
     * @return a handle on the sandbox; closing it removes the container
     * @throws SandboxConfigException when no such sandbox exists or it is not detached
     */
    public Sandbox attach(String idOrName) {
        return runtimes.attach(runtime, idOrName);
    }

    /**
     * As {@link Sandboxes#list()}, on this instance's runtime.
     *
     * @return every sandbox on the runtime, running or not
     */
    public List<SandboxInfo> list() {
        return SandboxDirectory.list(runtimes.backendFor(runtime));
    }

    /**
     * As {@link Sandboxes#find(String)}, on this instance's runtime.
     *
     * @param idOrPrefix a sandbox name, id, or id prefix of at least 3 characters
     * @return the sandbox, or empty when none matches
     * @throws SandboxConfigException when the prefix matches several sandboxes
     */
    public Optional<SandboxInfo> find(String idOrPrefix) {
        return SandboxDirectory.find(runtimes.backendFor(runtime), idOrPrefix);
    }

    /**
     * As {@link Sandboxes#remove(String)}, on this instance's runtime.
     *
     * @param idOrName a sandbox name, id, or unique id prefix
     * @return what was removed, and what could not be
     * @throws SandboxConfigException when nothing matches, or a prefix matches several sandboxes
     */
    public ReapReport remove(String idOrName) {
        return SandboxDirectory.remove(runtimes.backendFor(runtime), idOrName);
    }

    /**
     * As {@link Sandboxes#orphans()}, on this instance's runtime.
     *
     * @return what reaping would remove now
     */
    public ReapReport orphans() {
        return SandboxDirectory.orphans(runtimes.backendFor(runtime));
    }

    /**
     * As {@link Sandboxes#reapOrphans()}, on this instance's runtime.
     *
     * @return what was removed, and what could not be
     */
    public ReapReport reapOrphans() {
        return SandboxDirectory.reap(runtimes.backendFor(runtime));
    }

    @Override
    public String toString() {
        return "SandboxRuntime{" + runtime.orElse("detected") + ", " + runtimes.runner() + "}";
    }

    /** Mutable builder for {@link SandboxRuntime}; each setter says its default. */
    public static final class Builder {
        private CommandRunner commandRunner = CommandRunner.system();
        private final List<RuntimeProvider> providers = new ArrayList<>();
        private Supplier<HostEnvironment> host = HostEnvironment::current;
        private String runtime;

        private Builder() {
        }

        /**
         * The one seam through which backends start processes; default {@link CommandRunner#system()}.
         *
         * @param runner the runner
         * @return this builder
         * @throws SandboxConfigException if {@code runner} is null
         */
        public Builder commandRunner(CommandRunner runner) {
            if (runner == null) {
                throw new SandboxConfigException("command runner must not be null: leave it unset for "
                        + "CommandRunner.system()");
            }
            this.commandRunner = runner;
            return this;
        }

        /**
         * Adds a runtime provider; once any is added, only the added ones are used. Default: every provider
         * {@link java.util.ServiceLoader} finds on the class path (podman, apple-container, and any of yours).
         *
         * @param provider the provider to add
         * @return this builder
         * @throws SandboxConfigException if {@code provider} is null
         */
        public Builder provider(RuntimeProvider provider) {
            if (provider == null) {
                throw new SandboxConfigException("runtime provider must not be null");
            }
            providers.add(provider);
            return this;
        }

        /**
         * The facts about the machine; default {@link HostEnvironment#current()}, read when first needed.
         *
         * @param host the host facts to use
         * @return this builder
         * @throws SandboxConfigException if {@code host} is null
         */
        public Builder hostEnvironment(HostEnvironment host) {
            if (host == null) {
                throw new SandboxConfigException("host environment must not be null: leave it unset for "
                        + "HostEnvironment.current()");
            }
            this.host = () -> host;
            return this;
        }

        /**
         * The runtime used when a spec names none, such as {@code "podman"}; default: detected on first use.
         *
         * @param name the runtime's name, or {@code null} to detect
         * @return this builder
         */
        public Builder runtime(String name) {
            this.runtime = name;
            return this;
        }

        /**
         * Makes the instance; backends are made on first use, so nothing is run here.
         *
         * @return the instance
         * @throws SandboxConfigException when {@link #runtime(String)} names no known runtime
         */
        public SandboxRuntime build() {
            Runtimes runtimes = new Runtimes(commandRunner, providers, host);
            if (runtime != null) {
                runtimes.requireKnown(runtime);
            }
            return new SandboxRuntime(runtimes, Optional.ofNullable(runtime));
        }
    }
}
