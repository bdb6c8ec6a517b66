package dev.sandbox4j.internal;

import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state behind one {@link dev.sandbox4j.SandboxRuntime}: the process runner every backend uses, the runtime
 * providers, the host facts, and one backend per runtime name, made on first use. {@link #shared()} is the
 * instance behind {@code SandboxRuntime.shared()}; the static helpers below use it.
 */
public final class Runtimes {
    private static final Logger LOG = LoggerFactory.getLogger(Runtimes.class);
    private static volatile Runtimes shared;

    private final CommandRunner runner;
    private final Supplier<List<RuntimeProvider>> providerSource;
    private final Supplier<HostEnvironment> host;
    private final Map<String, RuntimeBackend> backends = new ConcurrentHashMap<>();
    private volatile List<RuntimeProvider> providers;

    /**
     * A registry with its own backends.
     *
     * @param runner    the process runner handed to every backend
     * @param providers the runtime providers, or empty for those {@link ServiceLoader} finds
     * @param host      the host facts, read when first needed
     */
    public Runtimes(CommandRunner runner, List<RuntimeProvider> providers, Supplier<HostEnvironment> host) {
        this.runner = runner;
        this.host = host;
        if (providers.isEmpty()) {
            this.providerSource = Runtimes::loadProviders;
        } else {
            List<RuntimeProvider> sorted = new ArrayList<>(providers);
            sorted.sort(Comparator.comparingInt(RuntimeProvider::priority).reversed());
            List<RuntimeProvider> fixed = List.copyOf(sorted);
            this.providerSource = () -> fixed;
        }
    }

    /** The registry of {@code SandboxRuntime.shared()}: the system process runner, every provider found. */
    public static Runtimes shared() {
        Runtimes r = shared;
        if (r == null) {
            synchronized (Runtimes.class) {
                r = shared;
                if (r == null) {
                    r = new Runtimes(CommandRunner.system(), List.of(), HostEnvironment::current);
                    shared = r;
                }
            }
        }
        return r;
    }

    private static List<RuntimeProvider> loadProviders() {
        List<RuntimeProvider> found = new ArrayList<>();
        ServiceLoader.load(RuntimeProvider.class, Runtimes.class.getClassLoader()).forEach(found::add);
        found.sort(Comparator.comparingInt(RuntimeProvider::priority).reversed());
        return List.copyOf(found);
    }

    /** Every provider on the class path, highest priority first (of the shared registry). */
    public static List<RuntimeProvider> providers() {
        return shared().runtimeProviders();
    }

    /** The backend for a runtime name, or the detected one when the name is empty (of the shared registry). */
    public static RuntimeBackend backend(Optional<String> name) {
        return shared().backendFor(name);
    }

    /** This registry's process runner. */
    public CommandRunner runner() {
        return runner;
    }

    /** This registry's host facts. */
    public HostEnvironment host() {
        return host.get();
    }

    /** This registry's providers, highest priority first. */
    public List<RuntimeProvider> runtimeProviders() {
        List<RuntimeProvider> p = providers;
        if (p == null) {
            p = providerSource.get();
            providers = p;
        }
        return p;
    }

    /** Throws {@link SandboxConfigException} unless a provider of that name exists. */
    public void requireKnown(String name) {
        if (runtimeProviders().stream().noneMatch(p -> p.name().equals(name))) {
            throw new SandboxConfigException("unknown runtime \"" + name + "\": choose one of "
                    + runtimeProviders().stream().map(RuntimeProvider::name).collect(Collectors.joining(", "))
                    + " or leave it unset to detect one");
        }
    }

    /** The backend for a runtime name, or the detected one when the name is empty. */
    public RuntimeBackend backendFor(Optional<String> name) {
        HostEnvironment here = host();
        if (name.isPresent()) {
            requireKnown(name.get());
            RuntimeProvider provider = runtimeProviders().stream().filter(p -> p.name().equals(name.get()))
                    .findFirst().orElseThrow();
            RuntimeBackend existing = backends.get(provider.name());
            if (existing != null) {
                return existing;
            }
            if (!provider.detect(here)) {
                throw RuntimeUnavailableException.of("runtime \"" + name.get() + "\" is not usable on this host:",
                        Map.of(provider.name(), provider.unavailableReason(here)));
            }
            return backends.computeIfAbsent(provider.name(), n -> create(provider, here));
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        for (RuntimeProvider provider : runtimeProviders()) {
            RuntimeBackend existing = backends.get(provider.name());
            if (existing != null) {
                return existing;
            }
            if (provider.detect(here)) {
                return backends.computeIfAbsent(provider.name(), n -> create(provider, here));
            }
            reasons.put(provider.name(), provider.unavailableReason(here));
        }
        throw RuntimeUnavailableException.of("no container runtime is usable on " + here + ":", reasons);
    }

    private RuntimeBackend create(RuntimeProvider provider, HostEnvironment here) {
        RuntimeBackend backend = provider.create(here, runner);
        LOG.info("using runtime {} on {}", provider.name(), here);
        return backend;
    }

    /** Finds a detached sandbox. */
    public Sandbox attach(Optional<String> runtime, String idOrName) {
        return DefaultSandbox.attach(backendFor(runtime), idOrName);
    }

    /** Starts a sandbox for a spec: the host checks first, then the start sequence on the spec's runtime. */
    public Sandbox start(SandboxSpec spec, Optional<String> defaultRuntime) {
        spec.runtime().ifPresent(this::requireKnown);
        Optional<String> runtime = spec.runtime().isPresent() ? spec.runtime() : defaultRuntime;
        HostChecks.check(spec, host());
        return SandboxStarter.start(spec, backendFor(runtime));
    }
}
