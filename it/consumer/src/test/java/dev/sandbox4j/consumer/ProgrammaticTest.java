package dev.sandbox4j.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.junit.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit guide's programmatic form: a {@code SandboxExtension} in a static {@code @RegisterExtension} field. */
class ProgrammaticTest {
    @RegisterExtension
    static final SandboxExtension SANDBOX = SandboxExtension.builder()
            .spec(Sandbox.builder().image(ApiTest.IMAGE))
            .lifecycle(SandboxExtension.Lifecycle.PER_CLASS)
            .build();

    @Test
    void theParameterIsTheExtensionsSandbox(Sandbox sandbox) {
        assertSame(SANDBOX.sandbox(), sandbox);
        assertEquals("programmatic\n", sandbox.exec("echo", "programmatic").stdout());
    }

    @Test
    void theJUnitOnTheClassPathIsTheOneThisRunAskedFor() {
        String wanted = System.getProperty("consumer.junit.version");
        String running = Test.class.getPackage().getImplementationVersion();
        assertEquals(wanted, running, "junit-jupiter-api on the class path");
    }
}
