package dev.sandbox4j.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.junit.SandboxConfig;
import dev.sandbox4j.junit.SandboxField;
import dev.sandbox4j.junit.Sandboxed;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The JUnit guide's declarative form: {@code @Sandboxed}, a static {@code @SandboxField}, parameters. */
@Sandboxed(disabledWithoutRuntime = false)
class DeclarativeTest {
    @SandboxField
    static final SandboxSpec TOOLS = Sandbox.builder().image(ApiTest.IMAGE).build();

    @Test
    void echoes(Sandbox sandbox) {
        assertEquals("hi\n", sandbox.exec("echo", "hi").stdout());
    }

    @Test
    void aParameterGetsItsOwnSandbox(@SandboxConfig(image = ApiTest.IMAGE)
                                     Sandbox own, Sandbox shared) {
        assertNotEquals(shared.id(), own.id());
        assertEquals("own\n", own.exec("echo", "own").stdout());
    }

    @Nested
    class Inner {
        @Test
        void getsTheEnclosingClassSandbox(Sandbox sandbox) {
            assertEquals("nested\n", sandbox.exec("echo", "nested").stdout());
        }

        @Test
        void seesTheEnclosingClassSandboxByName(@SandboxConfig(from = "TOOLS") Sandbox sandbox) {
            assertEquals("nested\n", sandbox.exec("echo", "nested").stdout());
        }
    }
}
