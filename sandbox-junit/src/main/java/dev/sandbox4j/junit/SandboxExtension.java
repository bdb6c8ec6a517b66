package dev.sandbox4j.junit;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.junit.SandboxStore.OwnKey;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * The programmatic JUnit Jupiter extension: one configured sandbox, started for each test method or once for the
 * class, injected as a {@link Sandbox} parameter and closed through the extension store. Register an instance:
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
 * <p>For annotated fields and parameters, put {@link Sandboxed} on the class instead ({@link SandboxField},
 * {@link SandboxConfig}); both can be used together, and then plain {@code Sandbox} parameters come from this one.
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

    private SandboxExtension(SandboxSpec spec, Lifecycle lifecycle, CleanupMode cleanup, String shareKey) {
        this.spec = spec;
        this.lifecycle = lifecycle;
        this.cleanup = cleanup;
        this.shareKey = shareKey;
    }

    /**
     * A builder for a programmatic extension, for {@code @RegisterExtension}.
     *
     * @return a new builder; {@link Builder#spec(SandboxSpec)} is required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The sandbox this extension instance has running, for use inside tests and lifecycle methods.
     *
     * @return the running sandbox
     * @throws IllegalStateException when none runs, or when several do (per-method sandboxes of tests running in
     *                               parallel): take a {@link Sandbox} parameter instead
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

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return SandboxStore.condition(context, spec.runtime());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (lifecycle == Lifecycle.PER_CLASS) {
            startOwn(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (lifecycle == Lifecycle.PER_METHOD) {
            startOwn(context);
        } else if (SandboxStore.find(context, new OwnKey(this)).isEmpty()) {
            throw new ExtensionConfigurationException("a PER_CLASS SandboxExtension must be registered in a static "
                    + "field (its @BeforeAll hook never ran): make the field static or use Lifecycle.PER_METHOD");
        }
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
        return parameter.getParameter().getType() == Sandbox.class
                && !parameter.isAnnotated(SandboxConfig.class) && !parameter.isAnnotated(Shared.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Optional<Held> own = SandboxStore.find(context, new OwnKey(this));
        if (own.isEmpty()) {
            throw new ParameterResolutionException("the " + lifecycle + " sandbox of " + this
                    + " does not exist in " + context.getDisplayName()
                    + (lifecycle == Lifecycle.PER_METHOD ? ": PER_METHOD sandboxes can only be injected into "
                    + "test methods and @BeforeEach/@AfterEach methods" : ""));
        }
        return own.get().sandbox();
    }

    private void startOwn(ExtensionContext context) {
        String description = "SandboxExtension of " + context.getRequiredTestClass().getSimpleName()
                + (lifecycle == Lifecycle.PER_METHOD ? "#" + context.getDisplayName() : "");
        Held held = SandboxStore.start(context, new OwnKey(this), description, spec, cleanup, shareKey);
        if (running.add(held)) {
            SandboxStore.onClose(context, held, running::remove);
        }
    }

    @Override
    public String toString() {
        return "SandboxExtension[" + spec.image() + ", " + lifecycle + ", " + cleanup
                + (shareKey == null ? "" : ", shared \"" + shareKey + "\"") + "]";
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

        /**
         * The sandbox to start. Required.
         *
         * @param spec the spec the extension starts its sandbox from
         * @return this builder
         */
        public Builder spec(SandboxSpec spec) {
            this.spec = spec;
            return this;
        }

        /**
         * The sandbox to start, built now.
         *
         * @param builder a builder whose {@code build()} is called here
         * @return this builder
         * @throws dev.sandbox4j.SandboxConfigException if the builder's settings are invalid
         */
        public Builder spec(SandboxSpec.Builder builder) {
            this.spec = builder.build();
            return this;
        }

        /**
         * How long the sandbox lives; default {@link Lifecycle#PER_METHOD}.
         *
         * @param lifecycle one sandbox per test method or per class
         * @return this builder
         */
        public Builder lifecycle(Lifecycle lifecycle) {
            this.lifecycle = lifecycle;
            return this;
        }

        /**
         * When the sandbox is removed; default {@link CleanupMode#DEFAULT}.
         *
         * @param mode the cleanup mode
         * @return this builder
         */
        public Builder cleanup(CleanupMode mode) {
            this.cleanup = mode;
            return this;
        }

        /**
         * Shorthand for {@link #cleanup(CleanupMode)}: {@code true} keeps the sandbox when a test that used it failed
         * ({@link CleanupMode#ON_SUCCESS}), {@code false} always removes it ({@link CleanupMode#ALWAYS}).
         *
         * @param keep whether to keep the sandbox of a failed test
         * @return this builder
         */
        public Builder keepOnFailure(boolean keep) {
            this.cleanup = keep ? CleanupMode.ON_SUCCESS : CleanupMode.ALWAYS;
            return this;
        }

        /**
         * Shares the sandbox with every class that uses the same key in this test run; it is closed when the
         * run ends. Default: not shared.
         *
         * @param key the share key; equal keys mean the same sandbox
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is null or blank
         */
        public Builder shareKey(String key) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("share key must not be blank");
            }
            this.shareKey = key;
            return this;
        }

        /**
         * The extension, for a {@code @RegisterExtension} field.
         *
         * @return a new extension instance
         * @throws IllegalStateException when no spec was set
         */
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
