package dev.sandbox4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Turns on Sandbox4j for a test class, like Testcontainers' {@code @Testcontainers}: {@link SandboxField} fields
 * are started and closed around the tests (static: once per class; instance: once per test method) and
 * {@link dev.sandbox4j.Sandbox} parameters are injected (see {@link SandboxConfig}).
 *
 * <pre>{@code
 * @Sandboxed
 * class BuildToolTest {
 *     @SandboxField
 *     static final SandboxSpec TOOLS = Sandbox.builder().image("localhost/busybox:latest").build();
 *
 *     @Test
 *     void echoes(Sandbox sandbox) {
 *         assertThat(sandbox.exec("echo", "hi").stdout()).isEqualTo("hi\n");
 *     }
 * }
 * }</pre>
 *
 * <p>When no container runtime is usable, the class is skipped with the reason — unless the environment variable
 * {@code SANDBOX4J_REQUIRE_RUNTIME} (or the configuration parameter
 * {@value SandboxExtension#REQUIRE_RUNTIME_PROPERTY}) is set, as CI does: then the tests run and fail with
 * {@link dev.sandbox4j.RuntimeUnavailableException}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(DeclarativeExtension.class)
public @interface Sandboxed {

    /**
     * {@return whether to skip (rather than fail) when no runtime is usable and none is required; default
     * {@code true}}
     */
    boolean disabledWithoutRuntime() default true;

    /**
     * {@return cleanup of this class's sandboxes unless a field or parameter says otherwise; default
     * {@link CleanupMode#DEFAULT}}
     */
    CleanupMode cleanup() default CleanupMode.DEFAULT;
}
