package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@link SandboxRuntime} instances: their parts replace the shared defaults, and nothing else is touched. */
class SandboxRuntimeTest {
    /** A runtime that is never usable here, as a provider for a missing tool reports itself. */
    private static final RuntimeProvider ABSENT = new RuntimeProvider() {
        @Override
        public String name() {
            return "absent-runtime";
        }

        @Override
        public int priority() {
            return 1;
        }

        @Override
        public boolean detect(HostEnvironment host) {
            return false;
        }

        @Override
        public String unavailableReason(HostEnvironment host) {
            return "absent-runtime is not installed: install it";
        }

        @Override
        public RuntimeBackend create(HostEnvironment host, CommandRunner runner) {
            throw new AssertionError("an undetected runtime is never created");
        }
    };

    private static final HostEnvironment ONE_CPU_HOST = HostEnvironment.of(HostEnvironment.Os.LINUX, "x86_64", "6.1",
            1, 1L << 30, OptionalInt.empty(), Map.of("PATH", "/usr/bin"));

    @Test
    void givenProvidersReplaceTheServiceLoaderOnes() {
        // when
        SandboxRuntime runtime = SandboxRuntime.builder().provider(ABSENT).build();

        // then
        assertThat(runtime.runtimeNames()).containsExactly("absent-runtime");
        assertThat(SandboxRuntime.shared().runtimeNames()).contains("podman").doesNotContain("absent-runtime");
    }

    @Test
    void anUnusableRuntimeIsReportedWithItsReasonWhenFirstUsed() {
        // given
        SandboxRuntime runtime = SandboxRuntime.builder().provider(ABSENT).build();

        // when / then
        assertThatThrownBy(runtime::list)
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("absent-runtime is not installed: install it");
    }

    @Test
    void hostChecksAtStartUseTheInstancesHostFacts() {
        // given: two CPUs are fine for this machine's specs, not for a one-CPU host
        SandboxRuntime runtime = SandboxRuntime.builder().provider(ABSENT).hostEnvironment(ONE_CPU_HOST).build();
        SandboxSpec spec = Sandbox.builder().image("localhost/busybox:latest").cpus(2).build();

        // when / then
        assertThatThrownBy(() -> runtime.start(spec))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("cpus 2.0 is more than this host has (1)");
    }

    @Test
    void aMissingMountSourceFailsTheStartBeforeAnyRuntimeIsAsked() {
        // given
        SandboxRuntime runtime = SandboxRuntime.builder().provider(ABSENT).build();
        SandboxSpec spec = Sandbox.builder().image("localhost/busybox:latest")
                .mount(Path.of("/nonexistent/sandbox4j-test"), "/work").build();

        // when / then: the mount is named, not the unusable runtime
        assertThatThrownBy(() -> runtime.start(spec))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("mount source /nonexistent/sandbox4j-test does not exist");
    }

    @Test
    void aNullPartIsRefusedWithTheDefaultNamed() {
        assertThatThrownBy(() -> SandboxRuntime.builder().commandRunner(null))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("CommandRunner.system()");
    }
}
