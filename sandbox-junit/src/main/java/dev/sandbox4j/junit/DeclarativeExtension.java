package dev.sandbox4j.junit;

import static dev.sandbox4j.junit.SandboxStore.describe;
import static dev.sandbox4j.junit.SandboxStore.find;
import static dev.sandbox4j.junit.SandboxStore.start;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.config.DevcontainerFile;
import dev.sandbox4j.config.SandboxConfigFile;
import dev.sandbox4j.config.SandboxDefinition;
import dev.sandbox4j.junit.SandboxStore.FieldKey;
import dev.sandbox4j.junit.SandboxStore.OwnKey;
import dev.sandbox4j.junit.SandboxStore.ParameterKey;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declarative extension that {@link Sandboxed} registers: starts {@link SandboxField} fields (static ones once
 * per class, instance ones per test method) and injects {@link Sandbox} parameters ({@link SandboxConfig},
 * {@link Shared}, or the class's only field). When the class also registers a {@link SandboxExtension}, plain
 * {@code Sandbox} parameters are left to that one.
 */
final class DeclarativeExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback, ParameterResolver, ExecutionCondition {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sandbox4j.junit");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return SandboxStore.condition(context, Optional.empty());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        for (Field field : AnnotationSupport.findAnnotatedFields(context.getRequiredTestClass(), SandboxField.class,
                ModifierSupport::isStatic)) {
            startField(context, field, null);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (Field field : AnnotationSupport.findAnnotatedFields(instance.getClass(), SandboxField.class,
                    f -> !ModifierSupport.isStatic(f))) {
                startField(context, field, instance);
            }
        }
        startTestMethodParameters(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        SandboxStore.markIfFailed(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        SandboxStore.markIfFailed(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() != Sandbox.class) {
            return false;
        }
        boolean annotated = parameter.isAnnotated(SandboxConfig.class) || parameter.isAnnotated(Shared.class);
        return annotated || !hasProgrammaticExtension(context.getRequiredTestClass());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
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

    /**
     * The sandbox of the only {@link SandboxField} of the test class or, for a {@code @Nested} class without one,
     * of the nearest enclosing class that has one.
     */
    private static Held onlyField(Parameter parameter, int index, ExtensionContext context) {
        List<Field> fields = fieldsOfNearestClass(context.getRequiredTestClass());
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

    private static List<Field> fieldsOfNearestClass(Class<?> testClass) {
        List<Field> fields = List.of();
        for (Class<?> c = testClass; c != null && fields.isEmpty();
                c = ModifierSupport.isStatic(c) ? null : c.getEnclosingClass()) {
            fields = AnnotationSupport.findAnnotatedFields(c, SandboxField.class);
        }
        return fields;
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

    @Override
    public String toString() {
        return "SandboxExtension[declarative]";
    }
}
