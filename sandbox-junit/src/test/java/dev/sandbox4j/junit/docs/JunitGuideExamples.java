package dev.sandbox4j.junit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.junit.SandboxConfig;
import dev.sandbox4j.junit.SandboxExtension;
import dev.sandbox4j.junit.SandboxField;
import dev.sandbox4j.junit.Sandboxed;
import dev.sandbox4j.junit.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/*
 * The examples of docs/junit.md, compiled (never run: the surefire configuration excludes this package, since
 * they name images and files a user would have). JunitGuideSnippetsTest checks the page quotes them verbatim.
 */
// docs:junit
@Sandboxed
class BuildToolTest {
    @SandboxField                                   // static: one sandbox for the class
    static final SandboxSpec TOOLS = Sandbox.builder().image("localhost/busybox:latest").build();

    @Test
    void echoes(Sandbox sandbox) {                  // the class has one @SandboxField: injected unannotated
        assertThat(sandbox.exec("echo", "hi").stdout()).isEqualTo("hi\n");
    }
}
// docs:end

// docs:junit
@Sandboxed
class ParameterExamples {
    static SandboxSpec.Builder python() {
        return Sandbox.builder().image("localhost/python:3.12").env("PIP_NO_INPUT", "1");
    }

    @Test
    void byImage(@SandboxConfig(image = "localhost/busybox:latest") Sandbox sandbox) {
        sandbox.exec("true");
    }

    @Test
    void byFile(@SandboxConfig(config = "src/test/resources/sandbox.json") Sandbox sandbox) {
        sandbox.exec("true");
    }

    @Test
    void byClasspathFile(@SandboxConfig(config = "classpath:/sandbox.json") Sandbox sandbox) {
        sandbox.exec("true");
    }

    @Test
    void byDevcontainer(@SandboxConfig(config = ".devcontainer/devcontainer.json") Sandbox sandbox) {
        sandbox.exec("true");
    }

    @Test
    void byMethod(@SandboxConfig(from = "python") Sandbox sandbox) {
        sandbox.exec("true");
    }

    @Test
    void shared(@Shared("tools") @SandboxConfig(image = "localhost/busybox:latest") Sandbox sandbox) {
        sandbox.exec("true");
    }
}
// docs:end

// docs:junit
class ProgrammaticExample {
    @RegisterExtension
    static final SandboxExtension SANDBOX = SandboxExtension.builder()
            .spec(Sandbox.builder().image("localhost/busybox:latest"))
            .lifecycle(SandboxExtension.Lifecycle.PER_CLASS)   // default PER_METHOD
            .keepOnFailure(true)                               // = cleanup(CleanupMode.ON_SUCCESS)
            .shareKey("busybox")                               // optional: share across classes, close at run end
            .build();

    @Test
    void runs(Sandbox sandbox) {              // unannotated Sandbox parameters come from this extension
        sandbox.exec("true");
    }

    @Test
    void alsoRuns() {
        SANDBOX.sandbox().exec("true");       // works when exactly one sandbox of SANDBOX is running
    }
}
// docs:end
