package dev.sandbox4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Shares one sandbox among every test class that asks for the same key during a test run: the first to need
 * it starts it, all get the same running sandbox, and it is closed when the whole run ends. Put it on a
 * {@link SandboxField} or on a {@link SandboxConfig} parameter. Every user of a key must describe the same spec;
 * a different spec under a used key is an error rather than a silent surprise.
 *
 * <p>A shared sandbox is used by tests that may run in parallel: treat it as read-mostly.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Shared {

    /** {@return the key; equal keys mean the same sandbox} */
    String value();
}
