package dev.sandbox4j.junit;

import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.config.DevcontainerFile;
import dev.sandbox4j.config.SandboxConfigFile;
import dev.sandbox4j.config.SandboxDefinition;
import dev.sandbox4j.spi.HostEnvironment;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JUnit Jupiter extension that starts sandboxes for tests and closes them through the extension store.
 *
 * <p>Declaratively, {@link Sandboxed} registers it: {@link SandboxField} fields and {@link SandboxConfig}
 * parameters. Programmatically, register a configured instance:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SandboxExtension SANDBOX = SandboxExtension.builder()
 *         .spec(Sandbox.builder().image("localhost/busybox:latest"))
 *         .lifecycle(SandboxExtension.Lifecycle.PER_CLASS)
 *         .keepOnFailure(true)
 *         .build();
 *
 * @Test
 * void runs(Sandbox sandbox) { ... }     // or SANDBOX.sandbox()
 * }</pre>
 *
 * <p>Every sandbox is an {@link AutoCloseable} value in the store of the context it belongs to (the test method,
 * the test class, or the root context for {@link Shared} ones), so JUnit closes it when that scope ends — after
 * the {@code @AfterEach}/{@code @AfterAll} methods, even when they fail. The extension keeps no mutable state
 * outside the store except the set of sandboxes an instance has running, so it is safe under parallel execution.
 *
 * <p>Configuration parameters: {@value #DEFAULT_CLEANUP_MODE_PROPERTY} ({@code always}, {@code on_success},
 * {@code never}); {@value #REQUIRE_RUNTIME_PROPERTY} (same meaning as the {@code SANDBOX4J_REQUIRE_RUNTIME}
 * environment variable, which it overrides).
 */
public final class SandboxExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback, ParameterResolver, ExecutionCondition {

    /** Configuration parameter for the cleanup mode that {@link CleanupMode#DEFAULT} stands for. */
    public static final String DEFAULT_CLEANUP_MODE_PROPERTY = "sandbox4j.cleanup.mode.default";
    /** Configuration parameter that, like {@code SANDBOX4J_REQUIRE_RUNTIME}, turns a missing runtime into a failure. */
    public static final String REQUIRE_RUNTIME_PROPERTY = "sandbox4j.runtime.required";
    /** The environment variable CI sets to make a missing runtime fail the build. */
    public static final String REQUIRE_RUNTIME_ENV = "SANDBOX4J_REQUIRE_RUNTIME";
    /** Report entry key published with the container id of every sandbox kept after a failure. */
    public static final String KEPT_REPORT_KEY = "sandbox4j.kept";

    private static final Logger LOG = LoggerFactory.getLogger("dev.sandbox4j.junit");
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SandboxExtension.class);

    /** How long a programmatically registered sandbox lives. */
    public enum Lifecycle {
        /** One sandbox for all tests of the class; register the extension in a static field. */
        PER_CLASS,
        /** A fresh sandbox for every test method. */
        PER_METHOD
    }

    private final SandboxSpec spec;
    private final Lifecycle lifecycle;
    private final CleanupMode cleanup;
    private final String shareKey;
    private final Set<Held> running = ConcurrentHashMap.newKeySet();

    /** The declarative extension that {@link Sandboxed} registers; it manages annotated fields and parameters. */
    public SandboxExtension() {
        this(null, Lifecycle.PER_METHOD, CleanupMode.DEFAULT, null);
    }

    private SandboxExtension(SandboxSpec spec, Lifecycle lifecycle, CleanupMode cleanup, String shareKey) {
        this.spec = spec;
        this.lifecycle = lifecycle;
        this.cleanup = cleanup;
        this.shareKey = shareKey;
    }

    /** A builder for a programmatic extension, for {@code @RegisterExtension}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The sandbox this extension instance has running, for use inside tests and lifecycle methods. Throws
     * {@link IllegalStateException} when none runs, or when several do (per-method sandboxes of tests running in
     * parallel): take a {@link Sandbox} parameter instead.
     */
    public Sandbox sandbox() {
        List<Held> now = List.copyOf(running);
        if (now.size() == 1) {
            return now.get(0).sandbox();
        }
        if (now.isEmpty()) {
            throw new IllegalStateException("no sandbox of this extension is running: call sandbox() from a test or "
                    + "lifecycle method of the class that registers it");
        }
        throw new IllegalStateException(now.size() + " sandboxes of this extension are running (tests in parallel): "
                + "take a Sandbox parameter in the test method instead of calling sandbox()");
    }

    // ----------------------------------------------------------------------------------------- condition

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled("decided for the class");
        }
        if (!skipWithoutRuntime(context)) {
            return ConditionEvaluationResult.enabled("@Sandboxed(disabledWithoutRuntime = false)");
        }
        Optional<String> named = spec == null ? Optional.empty() : spec.runtime();
        Optional<String> missing = RuntimeCheck.missing(RuntimeCheck.providers(), HostEnvironment.current(), named);
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("a container runtime is usable");
        }
        if (RuntimeCheck.required(requiredSetting(context), named)) {
            return ConditionEvaluationResult.enabled(missing.get() + "; a runtime is required, so the tests run and fail");
        }
        return ConditionEvaluationResult.disabled(missing.get() + " (set " + REQUIRE_RUNTIME_ENV
                + " to fail instead of skipping)");
    }

    // ----------------------------------------------------------------------------------------- lifecycle

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        if (spec == null) {
            for (Field field : AnnotationSupport.findAnnotatedFields(testClass, SandboxField.class,
                    ModifierSupport::isStatic)) {
                startField(context, field, null);
            }
        } else if (lifecycle == Lifecycle.PER_CLASS) {
            startOwn(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (spec == null) {
            for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
                for (Field field : AnnotationSupport.findAnnotatedFields(instance.getClass(), SandboxField.class,
                        f -> !ModifierSupport.isStatic(f))) {
                    startField(context, field, instance);
                }
            }
            startTestMethodParameters(context);
        } else if (lifecycle == Lifecycle.PER_METHOD) {
            startOwn(context);
        } else if (find(context, new OwnKey(this)).isEmpty()) {
            throw new ExtensionConfigurationException("a PER_CLASS SandboxExtension must be registered in a static "
                    + "field (its @BeforeAll hook never ran): make the field static or use Lifecycle.PER_METHOD");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            markFailed(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            markFailed(context);
        }
    }

    /** A test (or class) failed: every sandbox it could see remembers that, which keeps it under ON_SUCCESS. */
    private static void markFailed(ExtensionContext context) {
        for (ExtensionContext c = context; c.getParent().isPresent(); c = c.getParent().get()) {
            for (Held held : attached(c).list) {
                if (held.markFailed()) {
                    LOG.warn("{} failed: keeping sandbox {} ({} container {})", context.getDisplayName(),
                            held.description(), held.sandbox().runtimeName(), held.sandbox().id());
                    context.publishReportEntry(Map.of(KEPT_REPORT_KEY, held.sandbox().id(),
                            "sandbox4j.sandbox", held.description()));
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------- parameters

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() != Sandbox.class) {
            return false;
        }
        boolean annotated = parameter.isAnnotated(SandboxConfig.class) || parameter.isAnnotated(Shared.class);
        if (spec != null) {
            return !annotated;
        }
        return annotated || !hasProgrammaticExtension(context.getRequiredTestClass());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (spec != null) {
            Optional<Held> own = find(context, new OwnKey(this));
            if (own.isEmpty()) {
                throw new ParameterResolutionException("the " + lifecycle + " sandbox of " + this
                        + " does not exist in " + context.getDisplayName()
                        + (lifecycle == Lifecycle.PER_METHOD ? ": PER_METHOD sandboxes can only be injected into "
                        + "test methods and @BeforeEach/@AfterEach methods" : ""));
            }
            return own.get().sandbox();
        }
        if (!parameter.isAnnotated(SandboxConfig.class) && !parameter.isAnnotated(Shared.class)) {
            return onlyField(parameter.getParameter(), parameter.getIndex(), context).sandbox();
        }
        return annotated(parameter.getParameter(), parameter.getIndex(), context);
    }

    /**
     * The sandbox for an annotated parameter: already started for it (test method parameters are started in
     * {@code beforeEach}, so that a missing runtime aborts the test and a failed start fails it with the
     * exception itself rather than a {@link ParameterResolutionException}), a running one it names, or new.
     */
    private static Sandbox annotated(Parameter parameter, int index, ExtensionContext context) {
        ParameterKey key = new ParameterKey(parameter, index);
        Optional<Held> existing = find(context, key);
        if (existing.isPresent()) {
            return existing.get().sandbox();
        }
        SandboxConfig c = parameter.getAnnotation(SandboxConfig.class);
        if (c != null && !c.from().isEmpty()) {
            Optional<Sandbox> running = fromRunning(c.from(), context);
            if (running.isPresent()) {
                return running.get();
            }
        }
        SandboxSpec parameterSpec = parameterSpec(parameter, index, c, context);
        CleanupMode mode = c == null ? CleanupMode.DEFAULT : c.cleanup();
        Shared shared = parameter.getAnnotation(Shared.class);
        return start(context, key, describe(parameter, index), parameterSpec, mode,
                shared == null ? null : shared.value()).sandbox();
    }

    private static void startTestMethodParameters(ExtensionContext context) {
        Parameter[] parameters = context.getRequiredTestMethod().getParameters();
        for (int i = 0; i < parameters.length; i++) {
            Parameter p = parameters[i];
            if (p.getType() == Sandbox.class
                    && (p.isAnnotationPresent(SandboxConfig.class) || p.isAnnotationPresent(Shared.class))) {
                annotated(p, i, context);
            }
        }
    }

    private static boolean hasProgrammaticExtension(Class<?> testClass) {
        return !AnnotationSupport.findAnnotatedFields(testClass, RegisterExtension.class,
                f -> SandboxExtension.class.isAssignableFrom(f.getType())).isEmpty();
    }

    private static Held onlyField(Parameter parameter, int index, ExtensionContext context) {
        List<Field> fields = AnnotationSupport.findAnnotatedFields(context.getRequiredTestClass(), SandboxField.class);
        if (fields.size() != 1) {
            throw new ParameterResolutionException(describe(parameter, index) + ": " + (fields.isEmpty()
                    ? "the class has no @SandboxField: annotate the parameter with @SandboxConfig(image = ...), "
                    + "(config = \"sandbox.json\") or (from = \"fieldOrMethod\")"
                    : "the class has several @SandboxField fields ("
                    + fields.stream().map(Field::getName).collect(Collectors.joining(", "))
                    + "): say which with @SandboxConfig(from = \"name\")"));
        }
        return find(context, new FieldKey(fields.get(0))).orElseThrow(() -> new ParameterResolutionException(
                describe(parameter, index) + ": the sandbox of instance field " + fields.get(0).getName()
                        + " exists only during a test: make the field static to use it in @BeforeAll"));
    }

    /** A {@code from} that names a running sandbox: a {@link SandboxField} or a {@link SandboxExtension} field. */
    private static Optional<Sandbox> fromRunning(String name, ExtensionContext context) {
        Optional<Field> field = findField(context.getRequiredTestClass(), name);
        if (field.isEmpty()) {
            return Optional.empty();
        }
        Field f = field.get();
        if (f.isAnnotationPresent(SandboxField.class)) {
            return Optional.of(find(context, new FieldKey(f)).orElseThrow(() -> new ParameterResolutionException(
                    "the sandbox of @SandboxField " + name + " is not running in " + context.getDisplayName()
                            + ": instance fields run per test method")).sandbox());
        }
        if (SandboxExtension.class.isAssignableFrom(f.getType())) {
            SandboxExtension ext = (SandboxExtension) read(f, context);
            return Optional.of(find(context, new OwnKey(ext)).orElseThrow(() -> new ParameterResolutionException(
                    "the SandboxExtension in field " + name + " has no sandbox in " + context.getDisplayName()))
                    .sandbox());
        }
        return Optional.empty();
    }

    private static SandboxSpec parameterSpec(Parameter parameter, int index, SandboxConfig c,
                                             ExtensionContext context) {
        if (c == null) {
            throw new ParameterResolutionException(describe(parameter, index) + ": @Shared needs @SandboxConfig to say "
                    + "which sandbox, e.g. @Shared(\"tools\") @SandboxConfig(image = \"localhost/busybox:latest\")");
        }
        int sources = (c.config().isEmpty() ? 0 : 1) + (c.from().isEmpty() ? 0 : 1);
        if (sources > 1) {
            throw new ParameterResolutionException(describe(parameter, index) + ": give config or from, not both");
        }
        SandboxSpec.Builder b;
        if (!c.config().isEmpty()) {
            b = readConfig(c.config(), context.getRequiredTestClass());
        } else if (!c.from().isEmpty()) {
            b = specFrom(c.from(), context).toBuilder();
        } else if (!c.image().isEmpty()) {
            b = Sandbox.builder();
        } else {
            throw new ParameterResolutionException(describe(parameter, index) + ": @SandboxConfig needs image, config or from");
        }
        try {
            if (!c.image().isEmpty()) {
                b.image(c.image());
            }
            if (!c.runtime().isEmpty()) {
                b.runtime(c.runtime());
            }
            return b.build();
        } catch (SandboxConfigException e) {
            throw new ParameterResolutionException(describe(parameter, index) + ": " + e.getMessage(), e);
        }
    }

    private static SandboxSpec.Builder readConfig(String location, Class<?> testClass) {
        Path file;
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length());
            URL url = testClass.getResource(name);
            if (url == null) {
                url = testClass.getClassLoader().getResource(name.startsWith("/") ? name.substring(1) : name);
            }
            if (url == null || !url.getProtocol().equals("file")) {
                throw new ParameterResolutionException(location + " is not a file on the class path: config files "
                        + "must be plain files (not inside a jar) because relative paths resolve against them");
            }
            try {
                file = Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new ParameterResolutionException("bad class path URL " + url, e);
            }
        } else {
            file = Path.of(location);
        }
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith("devcontainer.json")) {
            SandboxDefinition def = DevcontainerFile.read(file);
            def.ignored().forEach(i -> LOG.warn("{}: ignored {}", file, i));
            def.warnings().forEach(w -> LOG.warn("{}: {}", file, w));
            return def.toBuilder();
        }
        return SandboxConfigFile.read(file);
    }

    /** A field or no-argument method that gives a {@code SandboxSpec} or {@code SandboxSpec.Builder}. */
    private static SandboxSpec specFrom(String name, ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        Object value;
        Optional<Field> field = findField(testClass, name);
        if (field.isPresent()) {
            value = read(field.get(), context);
        } else {
            Method method = ReflectionSupport.findMethod(testClass, name).orElseThrow(() ->
                    new ParameterResolutionException("from = \"" + name + "\": " + testClass.getSimpleName()
                            + " has no field or no-argument method of that name"));
            Object target = ModifierSupport.isStatic(method) ? null : instanceFor(method.getDeclaringClass(), context);
            value = ReflectionSupport.invokeMethod(method, target);
        }
        return toSpec(value, "from = \"" + name + "\"");
    }

    private static SandboxSpec toSpec(Object value, String what) {
        if (value instanceof SandboxSpec s) {
            return s;
        }
        if (value instanceof SandboxSpec.Builder b) {
            return b.build();
        }
        throw new ExtensionConfigurationException(what + " must give a SandboxSpec or SandboxSpec.Builder, not "
                + (value == null ? "null" : value.getClass().getName()));
    }

    private static Optional<Field> findField(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                return Optional.of(c.getDeclaredField(name));
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        return type.getEnclosingClass() == null ? Optional.empty() : findField(type.getEnclosingClass(), name);
    }

    private static Object read(Field field, ExtensionContext context) {
        Object target = ModifierSupport.isStatic(field) ? null : instanceFor(field.getDeclaringClass(), context);
        try {
            field.setAccessible(true);
            return field.get(target);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new ExtensionConfigurationException("cannot read field " + field.getName() + ": " + e, e);
        }
    }

    private static Object instanceFor(Class<?> declaring, ExtensionContext context) {
        return context.getTestInstances().flatMap(i -> i.findInstance(declaring).map(Object.class::cast))
                .orElseThrow(() -> new ExtensionConfigurationException(declaring.getSimpleName()
                        + " has no instance in " + context.getDisplayName() + ": make the member static"));
    }

    // ----------------------------------------------------------------------------------------- starting

    private void startOwn(ExtensionContext context) {
        String description = "SandboxExtension of " + context.getRequiredTestClass().getSimpleName()
                + (lifecycle == Lifecycle.PER_METHOD ? "#" + context.getDisplayName() : "");
        Held held = start(context, new OwnKey(this), description, spec, cleanup, shareKey);
        if (running.add(held)) {
            attached(context).onClose(held, running::remove);
        }
    }

    private static void startField(ExtensionContext context, Field field, Object instance) {
        Object value;
        try {
            field.setAccessible(true);
            value = field.get(instance);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new ExtensionConfigurationException("cannot read @SandboxField " + field.getName() + ": " + e, e);
        }
        SandboxSpec fieldSpec = toSpec(value, "@SandboxField " + field.getDeclaringClass().getSimpleName() + "."
                + field.getName());
        String description = field.getDeclaringClass().getSimpleName() + "." + field.getName()
                + (instance == null ? "" : " for " + context.getDisplayName());
        start(context, new FieldKey(field), description, fieldSpec, field.getAnnotation(SandboxField.class).cleanup(),
                AnnotationSupport.findAnnotation(field, Shared.class).map(Shared::value).orElse(null));
    }

    /**
     * Starts (or, for a share key, finds) a sandbox for {@code context}: the store closes it when the context
     * ends (the root context for shared ones), and {@code key} finds it again.
     */
    private static Held start(ExtensionContext context, Object key, String description, SandboxSpec spec,
                              CleanupMode mode, String shareKey) {
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
                        + "\n(set " + REQUIRE_RUNTIME_ENV + " to fail instead of skipping)", e);
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
        Optional<Sandboxed> sandboxed = context.getTestClass().flatMap(c -> sandboxed(c, context));
        if (sandboxed.isPresent() && sandboxed.get().cleanup() != CleanupMode.DEFAULT) {
            return sandboxed.get().cleanup();
        }
        Optional<String> configured = context.getConfigurationParameter(DEFAULT_CLEANUP_MODE_PROPERTY);
        if (configured.isEmpty()) {
            return CleanupMode.ALWAYS;
        }
        try {
            CleanupMode parsed = CleanupMode.valueOf(configured.get().strip().toUpperCase(Locale.ROOT));
            return parsed == CleanupMode.DEFAULT ? CleanupMode.ALWAYS : parsed;
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(DEFAULT_CLEANUP_MODE_PROPERTY + " = \"" + configured.get()
                    + "\" is not a cleanup mode: use always, on_success or never");
        }
    }

    private static Optional<Sandboxed> sandboxed(Class<?> testClass, ExtensionContext context) {
        return AnnotationSupport.findAnnotation(testClass, Sandboxed.class,
                context.getEnclosingTestClasses());
    }

    private static boolean skipWithoutRuntime(ExtensionContext context) {
        return context.getTestClass().flatMap(c -> sandboxed(c, context)).map(Sandboxed::disabledWithoutRuntime)
                .orElse(true);
    }

    private static Optional<String> requiredSetting(ExtensionContext context) {
        return context.getConfigurationParameter(REQUIRE_RUNTIME_PROPERTY)
                .or(() -> Optional.ofNullable(System.getenv(REQUIRE_RUNTIME_ENV)));
    }

    private static Optional<Held> find(ExtensionContext context, Object key) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Ref ref = c.getStore(NS).get(key, Ref.class);
            if (ref != null) {
                return Optional.of(ref.held());
            }
        }
        return Optional.empty();
    }

    private static Attached attached(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent(Attached.class, k -> new Attached(), Attached.class);
    }

    private static String describe(Parameter p, int index) {
        return p.getDeclaringExecutable().getDeclaringClass().getSimpleName() + "#"
                + p.getDeclaringExecutable().getName() + " parameter " + index;
    }

    @Override
    public String toString() {
        return spec == null ? "SandboxExtension[declarative]"
                : "SandboxExtension[" + spec.image() + ", " + lifecycle + ", " + cleanup
                + (shareKey == null ? "" : ", shared \"" + shareKey + "\"") + "]";
    }

    // ----------------------------------------------------------------------------------------- store values

    private record FieldKey(Field field) {
    }

    private record ParameterKey(Parameter parameter, int index) {
    }

    private record SharedKey(String key) {
    }

    /** Identity of a programmatic extension instance. */
    private static final class OwnKey {
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
        private final List<Runnable> hooks = new CopyOnWriteArrayList<>();

        void onClose(Held held, java.util.function.Consumer<Held> hook) {
            hooks.add(() -> hook.accept(held));
        }

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

    // ----------------------------------------------------------------------------------------- builder

    /** Mutable builder for a programmatic {@link SandboxExtension}. */
    public static final class Builder {
        private SandboxSpec spec;
        private Lifecycle lifecycle = Lifecycle.PER_METHOD;
        private CleanupMode cleanup = CleanupMode.DEFAULT;
        private String shareKey;

        private Builder() {
        }

        /** The sandbox to start. Required. */
        public Builder spec(SandboxSpec spec) {
            this.spec = spec;
            return this;
        }

        /** The sandbox to start, built now. */
        public Builder spec(SandboxSpec.Builder builder) {
            this.spec = builder.build();
            return this;
        }

        /** How long the sandbox lives; default {@link Lifecycle#PER_METHOD}. */
        public Builder lifecycle(Lifecycle lifecycle) {
            this.lifecycle = lifecycle;
            return this;
        }

        /** When the sandbox is removed; default {@link CleanupMode#DEFAULT}. */
        public Builder cleanup(CleanupMode mode) {
            this.cleanup = mode;
            return this;
        }

        /** {@code true}: keep the sandbox when a test that used it failed ({@link CleanupMode#ON_SUCCESS}). */
        public Builder keepOnFailure(boolean keep) {
            this.cleanup = keep ? CleanupMode.ON_SUCCESS : CleanupMode.ALWAYS;
            return this;
        }

        /**
         * Shares the sandbox with every class that uses the same key in this test run; it is closed when the
         * run ends. Default: not shared.
         */
        public Builder shareKey(String key) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("share key must not be blank");
            }
            this.shareKey = key;
            return this;
        }

        public SandboxExtension build() {
            if (spec == null) {
                throw new IllegalStateException("SandboxExtension.builder() needs spec(...)");
            }
            if (lifecycle == null || cleanup == null) {
                throw new IllegalStateException("lifecycle and cleanup must not be null");
            }
            return new SandboxExtension(spec, lifecycle, cleanup, shareKey);
        }
    }
}
