package dev.sandbox4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link dev.sandbox4j.SandboxSpec} or {@link dev.sandbox4j.SandboxSpec.Builder} field of a
 * {@link Sandboxed} class as a sandbox to start, like Testcontainers' {@code @Container}. A static field gives
 * one sandbox for the whole class (started before {@code @BeforeAll} methods run, closed after
 * {@code @AfterAll}); an instance field gives one per test method. The field holds the description, never the
 * running sandbox: take that as a {@link dev.sandbox4j.Sandbox} parameter — unannotated when the class has one
 * such field, or {@code @SandboxConfig(from = "fieldName")}. Add {@link Shared} to share one sandbox across
 * classes.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SandboxField {

    /** {@return when the sandbox is removed; default: the class's setting} */
    CleanupMode cleanup() default CleanupMode.DEFAULT;
}
