package dev.sandbox4j.junit;

import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Whether a container runtime is usable, asked of the runtime providers on the class path. Pure given its inputs. */
final class RuntimeCheck {
    private RuntimeCheck() {
    }

    static List<RuntimeProvider> providers() {
        List<RuntimeProvider> found = new ArrayList<>();
        ServiceLoader.load(RuntimeProvider.class, RuntimeCheck.class.getClassLoader()).forEach(found::add);
        return found;
    }

    /** Why no runtime (or not the named one) is usable; empty when one is. */
    static Optional<String> missing(List<RuntimeProvider> providers, HostEnvironment host, Optional<String> named) {
        List<String> reasons = new ArrayList<>();
        for (RuntimeProvider p : providers) {
            if (named.isPresent() && !named.get().equals(p.name())) {
                continue;
            }
            if (p.detect(host)) {
                return Optional.empty();
            }
            reasons.add(p.name() + ": " + p.unavailableReason(host));
        }
        if (reasons.isEmpty()) {
            return Optional.of(named.map(n -> "no runtime provider named \"" + n + "\" is on the class path")
                    .orElse("no runtime provider is on the class path"));
        }
        return Optional.of((named.isPresent() ? "runtime " + named.get() + " is not usable: "
                : "no container runtime is usable: ") + String.join("; ", reasons));
    }

    /**
     * Whether a missing runtime must fail rather than skip. {@code required} is the value of
     * {@code SANDBOX4J_REQUIRE_RUNTIME} or its configuration parameter: a runtime name, a comma-separated list,
     * or {@code any}/{@code true}. Without a named runtime any non-blank value requires one.
     */
    static boolean required(Optional<String> required, Optional<String> runtime) {
        if (required.isEmpty() || required.get().isBlank() || required.get().equalsIgnoreCase("false")) {
            return false;
        }
        if (runtime.isEmpty()) {
            return true;
        }
        for (String r : required.get().split(",")) {
            String name = r.strip();
            if (name.equals(runtime.get()) || name.equalsIgnoreCase("any") || name.equalsIgnoreCase("true")) {
                return true;
            }
        }
        return false;
    }
}
