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
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds runtime providers, picks one for a spec, and keeps one backend per runtime. */
public final class Runtimes {
    private static final Logger LOG = LoggerFactory.getLogger(Runtimes.class);
    private static final Map<String, RuntimeBackend> BACKENDS = new ConcurrentHashMap<>();
    private static volatile List<RuntimeProvider> providers;

    private Runtimes() {
    }

    /** Every provider on the class path, highest priority first. */
    public static List<RuntimeProvider> providers() {
        List<RuntimeProvider> p = providers;
        if (p == null) {
            List<RuntimeProvider> found = new ArrayList<>();
            ServiceLoader.load(RuntimeProvider.class, Runtimes.class.getClassLoader()).forEach(found::add);
            found.sort(Comparator.comparingInt(RuntimeProvider::priority).reversed());
            p = List.copyOf(found);
            providers = p;
        }
        return p;
    }

    /** Throws {@link SandboxConfigException} unless a provider of that name exists. */
    public static void requireKnown(String name) {
        if (providers().stream().noneMatch(p -> p.name().equals(name))) {
            throw new SandboxConfigException("unknown runtime \"" + name + "\": choose one of "
                    + providers().stream().map(RuntimeProvider::name).collect(Collectors.joining(", "))
                    + " or leave it unset to detect one");
        }
    }

    /** The backend for a runtime name, or the detected one when the name is empty. */
    public static RuntimeBackend backend(java.util.Optional<String> name) {
        HostEnvironment host = HostEnvironment.current();
        if (name.isPresent()) {
            requireKnown(name.get());
            RuntimeProvider provider = providers().stream().filter(p -> p.name().equals(name.get())).findFirst()
                    .orElseThrow();
            if (!provider.detect(host)) {
                throw RuntimeUnavailableException.of("runtime \"" + name.get() + "\" is not usable on this host:",
                        Map.of(provider.name(), provider.unavailableReason(host)));
            }
            return BACKENDS.computeIfAbsent(provider.name(), n -> create(provider, host));
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        for (RuntimeProvider provider : providers()) {
            if (provider.detect(host)) {
                return BACKENDS.computeIfAbsent(provider.name(), n -> create(provider, host));
            }
            reasons.put(provider.name(), provider.unavailableReason(host));
        }
        throw RuntimeUnavailableException.of("no container runtime is usable on " + host + ":", reasons);
    }

    private static RuntimeBackend create(RuntimeProvider provider, HostEnvironment host) {
        RuntimeBackend backend = provider.create(host, CommandRunner.system());
        LOG.info("using runtime {} on {}", provider.name(), host);
        return backend;
    }

    /** Finds a detached sandbox on the detected runtime. */
    public static Sandbox attach(String idOrName) {
        return DefaultSandbox.attach(backend(java.util.Optional.empty()), idOrName);
    }

    /** Starts a sandbox for a spec. */
    public static Sandbox start(SandboxSpec spec) {
        return SandboxStarter.start(spec, backend(spec.runtime()));
    }
}
