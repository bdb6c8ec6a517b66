package dev.sandbox4j.junit;

import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.HostEnvironment;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the programmatic {@link SandboxExtension} and the declarative {@link DeclarativeExtension} share: starting
 * sandboxes into the extension store of the context they belong to, finding them again by key, the runtime
 * condition, cleanup modes and failure marking. Sandboxes live only in the store, so JUnit closes them when their
 * scope ends.
 */
final class SandboxStore {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sandbox4j.junit");
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SandboxExtension.class);

    private SandboxStore() {
    }

    // ----------------------------------------------------------------------------------------- condition

    /** Enables a class when a runtime is usable, when one is required (so it fails), or when skipping is off. */
    static ConditionEvaluationResult condition(ExtensionContext context, Optional<String> namedRuntime) {
        if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled("decided for the class");
        }
        if (!skipWithoutRuntime(context)) {
            return ConditionEvaluationResult.enabled("@Sandboxed(disabledWithoutRuntime = false)");
        }
        Optional<String> missing = RuntimeCheck.missing(RuntimeCheck.providers(), HostEnvironment.current(),
                namedRuntime);
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("a container runtime is usable");
        }
        if (RuntimeCheck.required(requiredSetting(context), namedRuntime)) {
            return ConditionEvaluationResult.enabled(missing.get() + "; a runtime is required, so the tests run and fail");
        }
        return ConditionEvaluationResult.disabled(missing.get() + " (set " + SandboxExtension.REQUIRE_RUNTIME_ENV
                + " to fail instead of skipping)");
    }

    // ----------------------------------------------------------------------------------------- failures

    /**
     * If the test (or class) of {@code context} failed, every sandbox it could see remembers that, which keeps it
     * under ON_SUCCESS. Both extensions call this after each test and after all.
     */
    static void markIfFailed(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()) {
            return;
        }
        for (ExtensionContext c = context; c.getParent().isPresent(); c = c.getParent().get()) {
            for (Held held : attached(c).list) {
                if (held.markFailed()) {
                    LOG.warn("{} failed: keeping sandbox {} ({} container {})", context.getDisplayName(),
                            held.description(), held.sandbox().runtimeName(), held.sandbox().id());
                    context.publishReportEntry(Map.of(SandboxExtension.KEPT_REPORT_KEY, held.sandbox().id(),
                            "sandbox4j.sandbox", held.description()));
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------- starting

    /**
     * Starts (or, for a share key, finds) a sandbox for {@code context}: the store closes it when the context
     * ends (the root context for shared ones), and {@code key} finds it again.
     */
    static Held start(ExtensionContext context, Object key, String description, SandboxSpec spec, CleanupMode mode,
                      String shareKey) {
        CleanupMode resolved = resolve(mode, context);
        Held held;
        if (shareKey != null) {
            SharedSlot slot = context.getRoot().getStore(NS).getOrComputeIfAbsent(new SharedKey(shareKey),
                    k -> new SharedSlot(k.key()), SharedSlot.class);
            held = slot.get(spec, () -> launch(context, description + " [shared \"" + shareKey + "\"]", spec,
                    resolved));
        } else {
            held = launch(context, description, spec, resolved);
            context.getStore(NS).put(held, held);
        }
        context.getStore(NS).put(key, new Ref(held));
        attached(context).list.add(held);
        return held;
    }

    private static Held launch(ExtensionContext context, String description, SandboxSpec spec, CleanupMode mode) {
        Sandbox sandbox;
        try {
            sandbox = spec.start();
        } catch (RuntimeUnavailableException e) {
            if (skipWithoutRuntime(context) && !RuntimeCheck.required(requiredSetting(context), spec.runtime())) {
                throw new TestAbortedException(description + " needs a container runtime: " + e.getMessage()
                        + "\n(set " + SandboxExtension.REQUIRE_RUNTIME_ENV + " to fail instead of skipping)", e);
            }
            throw e;
        }
        LOG.debug("started sandbox {} ({} container {})", description, sandbox.runtimeName(), sandbox.id());
        return new Held(description, sandbox, mode, h -> { });
    }

    private static CleanupMode resolve(CleanupMode mode, ExtensionContext context) {
        if (mode != CleanupMode.DEFAULT) {
            return mode;
        }
        Optional<Sandboxed> sandboxed = context.getTestClass().flatMap(SandboxStore::sandboxed);
        if (sandboxed.isPresent() && sandboxed.get().cleanup() != CleanupMode.DEFAULT) {
            return sandboxed.get().cleanup();
        }
        Optional<String> configured = context.getConfigurationParameter(SandboxExtension.DEFAULT_CLEANUP_MODE_PROPERTY);
        if (configured.isEmpty()) {
            return CleanupMode.ALWAYS;
        }
        try {
            CleanupMode parsed = CleanupMode.valueOf(configured.get().strip().toUpperCase(Locale.ROOT));
            return parsed == CleanupMode.DEFAULT ? CleanupMode.ALWAYS : parsed;
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(SandboxExtension.DEFAULT_CLEANUP_MODE_PROPERTY + " = \""
                    + configured.get() + "\" is not a cleanup mode: use always, on_success or never");
        }
    }

    /**
     * {@code @Sandboxed} on the test class or, for {@code @Nested} classes, on a class enclosing it. Walks the
     * enclosing classes itself: the JUnit API that does this arrived after 5.10, the oldest release supported.
     */
    private static Optional<Sandboxed> sandboxed(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = ModifierSupport.isStatic(c) ? null : c.getEnclosingClass()) {
            Optional<Sandboxed> found = AnnotationSupport.findAnnotation(c, Sandboxed.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static boolean skipWithoutRuntime(ExtensionContext context) {
        return context.getTestClass().flatMap(SandboxStore::sandboxed).map(Sandboxed::disabledWithoutRuntime)
                .orElse(true);
    }

    private static Optional<String> requiredSetting(ExtensionContext context) {
        return context.getConfigurationParameter(SandboxExtension.REQUIRE_RUNTIME_PROPERTY)
                .or(() -> Optional.ofNullable(System.getenv(SandboxExtension.REQUIRE_RUNTIME_ENV)));
    }

    // ----------------------------------------------------------------------------------------- lookups

    /** The sandbox stored under {@code key} in this context or an enclosing one. */
    static Optional<Held> find(ExtensionContext context, Object key) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Ref ref = c.getStore(NS).get(key, Ref.class);
            if (ref != null) {
                return Optional.of(ref.held());
            }
        }
        return Optional.empty();
    }

    /** Runs {@code hook} with the sandbox when the context's store closes. */
    static void onClose(ExtensionContext context, Held held, Consumer<Held> hook) {
        attached(context).hooks.add(() -> hook.accept(held));
    }

    private static Attached attached(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent(Attached.class, k -> new Attached(), Attached.class);
    }

    static String describe(Parameter p, int index) {
        return p.getDeclaringExecutable().getDeclaringClass().getSimpleName() + "#"
                + p.getDeclaringExecutable().getName() + " parameter " + index;
    }

    // ----------------------------------------------------------------------------------------- store values

    /** The key of a {@link SandboxField}'s sandbox. */
    record FieldKey(Field field) {
    }

    /** The key of an annotated parameter's sandbox. */
    record ParameterKey(Parameter parameter, int index) {
    }

    private record SharedKey(String key) {
    }

    /** The key of a programmatic extension instance's sandbox: the instance's identity. */
    static final class OwnKey {
        private final SandboxExtension extension;

        OwnKey(SandboxExtension extension) {
            this.extension = extension;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OwnKey k && k.extension == extension;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(extension);
        }
    }

    /** A lookup entry: not closeable, so the store does not close what it points at. */
    private record Ref(Held held) {
    }

    /** The sandboxes a context can see, for marking failures; plus close hooks. */
    private static final class Attached implements AutoCloseable {
        final List<Held> list = new CopyOnWriteArrayList<>();
        final List<Runnable> hooks = new CopyOnWriteArrayList<>();

        @Override
        public void close() {
            hooks.forEach(Runnable::run);
        }
    }

    /** The root-store slot of a shared sandbox: started once, checked for equal specs, closed at the end of the run. */
    private static final class SharedSlot implements AutoCloseable {
        private final String key;
        private Held held;
        private SandboxSpec spec;

        SharedSlot(String key) {
            this.key = key;
        }

        synchronized Held get(SandboxSpec wanted, Supplier<Held> start) {
            if (held == null) {
                held = start.get();
                spec = wanted;
            } else if (!spec.equals(wanted)) {
                throw new ExtensionConfigurationException("shared sandbox \"" + key + "\" was started from " + spec
                        + " but is now asked for with " + wanted + ": use another key, or the same spec everywhere");
            }
            return held;
        }

        @Override
        public synchronized void close() {
            if (held != null) {
                held.close();
            }
        }
    }
}
