package dev.sandbox4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes the sandbox injected into a {@link dev.sandbox4j.Sandbox} parameter of a test, lifecycle or
 * constructor method in a {@link Sandboxed} class. The sandbox lives as long as the method's scope: a test
 * method's parameter gets a sandbox for that test, a {@code @BeforeAll} parameter one for the class.
 *
 * <pre>{@code
 * @Test
 * void runsTheBuild(@SandboxConfig(config = "sandbox.json") Sandbox sandbox) { ... }
 *
 * @Test
 * void quick(@SandboxConfig(image = "localhost/busybox:latest") Sandbox sandbox) { ... }
 *
 * @Test
 * void reuses(@SandboxConfig(from = "TOOLS") Sandbox sandbox) { ... }   // the @SandboxField's sandbox
 * }</pre>
 *
 * Exactly one of {@link #image()}, {@link #config()} and {@link #from()} is the source; {@link #image()} and
 * {@link #runtime()} may also override what a config file says.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SandboxConfig {

    /**
     * {@return the image to run, e.g. {@code "localhost/busybox:latest"}; overrides the config file's image;
     * {@code ""} for none}
     */
    String image() default "";

    /**
     * A {@code sandbox.json} or {@code devcontainer.json} (recognised by its name) to read: a path relative to the
     * working directory (the module directory under Maven and Gradle), or {@code classpath:name} for a resource
     * next to the test class or at the class path root.
     *
     * @return the config file, or {@code ""} for none
     */
    String config() default "";

    /**
     * The name of a field or no-argument method of the test class that gives a {@code SandboxSpec} or
     * {@code SandboxSpec.Builder}, or of a {@link SandboxField} (whose running sandbox is injected, not a new one),
     * or of a {@link SandboxExtension} field (whose current sandbox is injected).
     *
     * @return the member name, or {@code ""} for none
     */
    String from() default "";

    /** {@return the runtime to use by name, e.g. {@code "podman"}; default {@code ""}: the spec's, else detected} */
    String runtime() default "";

    /** {@return when the sandbox is removed; default: the class's setting} */
    CleanupMode cleanup() default CleanupMode.DEFAULT;
}
