package dev.sandbox4j.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/** Parallel execution, sharing across classes, missing runtimes and failing starts, through the engine test kit. */
class SandboxExtensionRunTest extends KitTest {

    // ------------------------------------------------------------------------------------ parallel

    @Kit.Fixture
    @Sandboxed
    static class Parallel {
        /** Both tests must be inside their test bodies, each with its own running sandbox, at the same time. */
        static volatile CyclicBarrier barrier;

        @SandboxField
        final SandboxSpec spec = Sandbox.builder().image(IMAGE).build();

        @Test
        void one(Sandbox sandbox) throws Exception {
            IDS.put("one", sandbox.id());
            barrier.await(60, TimeUnit.SECONDS);
            assertThat(sandbox.exec("echo", "one").stdout()).isEqualTo("one\n");
        }

        @Test
        void two(Sandbox sandbox) throws Exception {
            IDS.put("two", sandbox.id());
            barrier.await(60, TimeUnit.SECONDS);
            assertThat(sandbox.exec("echo", "two").stdout()).isEqualTo("two\n");
        }
    }

    @Test
    void perMethodSandboxesStartAndRunConcurrentlyUnderParallelExecution() {
        // given
        Parallel.barrier = new CyclicBarrier(2);
        Map<String, String> parallel = Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2");

        // when
        EngineExecutionResults results = Kit.run(parallel, Parallel.class);

        // then: the barrier only opens when both tests hold a started sandbox at once
        assertThat(Kit.failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(IDS.get("one")).isNotNull().isNotEqualTo(IDS.get("two"));
        assertThat(Kit.containerExists(IDS.get("one"))).isFalse();
        assertThat(Kit.containerExists(IDS.get("two"))).isFalse();
    }

    // ------------------------------------------------------------------------------------ shared by key

    @Kit.Fixture
    @Sandboxed
    static class SharedA {
        @Shared("busybox")
        @SandboxField
        static final SandboxSpec SPEC = Sandbox.builder().image(IMAGE).label("purpose", "shared").build();

        @Test
        void a(Sandbox sandbox) {
            IDS.put("a", sandbox.id());
            IDS.put("a-alive", String.valueOf(Kit.containerExists(sandbox.id())));
        }
    }

    @Kit.Fixture
    static class SharedB {
        @RegisterExtension
        static final SandboxExtension SANDBOX = SandboxExtension.builder()
                .spec(Sandbox.builder().image(IMAGE).label("purpose", "shared"))
                .lifecycle(SandboxExtension.Lifecycle.PER_CLASS)
                .shareKey("busybox")
                .build();

        @Test
        void b(Sandbox sandbox) {
            IDS.put("b", sandbox.id());
        }
    }

    @Test
    void sandboxSharedByKeyIsOneContainerForTwoClassesClosedAtTheEndOfTheRun() {
        // given
        Class<?>[] classes = {SharedA.class, SharedB.class};

        // when
        EngineExecutionResults results = Kit.run(classes);

        // then
        assertThat(Kit.failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(IDS.get("a")).isNotNull().isEqualTo(IDS.get("b"));
        assertThat(IDS.get("a-alive")).isEqualTo("true");
        assertThat(Kit.containerExists(IDS.get("a"))).isFalse();
    }

    @Kit.Fixture
    @Sandboxed
    static class SharedOtherSpec {
        @Shared("busybox")
        @SandboxField
        static final SandboxSpec SPEC = Sandbox.builder().image(IMAGE).label("purpose", "different").build();

        @Test
        void c(Sandbox sandbox) {
            IDS.put("c", sandbox.id());
        }
    }

    @Test
    void differentSpecUnderAUsedShareKeyFailsInsteadOfSharingSilently() {
        // given
        Class<?>[] classes = {SharedA.class, SharedOtherSpec.class};

        // when
        EngineExecutionResults results = Kit.run(classes);

        // then
        assertThat(Kit.failures(results)).singleElement().satisfies(t ->
                assertThat(t).hasMessageContaining("shared sandbox \"busybox\" was started from"));
        assertThat(IDS).containsKey("a").doesNotContainKey("c");
        assertThat(Kit.containerExists(IDS.get("a"))).isFalse();
    }

    // ------------------------------------------------------------------------------------ missing runtime

    @Kit.Fixture
    @Sandboxed
    static class NeedsAbsentRuntime {
        @Test
        void runs(@SandboxConfig(image = IMAGE, runtime = AbsentRuntimeProvider.NAME) Sandbox sandbox) {
            IDS.put("ran", sandbox.id());
        }
    }

    @Test
    void missingRuntimeSkipsTheTestWithTheReason() {
        // given: the kit sets sandbox4j.runtime.required=podman, which does not name absent-runtime
        Class<?> fixture = NeedsAbsentRuntime.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        results.testEvents().assertStatistics(s -> s.started(1).aborted(1).failed(0));
        Event aborted = results.testEvents().aborted().list().get(0);
        assertThat(Kit.reason(aborted)).contains("needs a container runtime")
                .contains("sandbox4j-absent-runtime not found on PATH")
                .contains("set SANDBOX4J_REQUIRE_RUNTIME to fail instead");
        assertThat(IDS).isEmpty();
    }

    @Test
    void missingRuntimeFailsWithTheTypedExceptionWhenRequired() {
        // given
        Map<String, String> required = Map.of(SandboxExtension.REQUIRE_RUNTIME_PROPERTY, AbsentRuntimeProvider.NAME);

        // when
        EngineExecutionResults results = Kit.run(required, NeedsAbsentRuntime.class);

        // then
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(Kit.failures(results)).singleElement().isInstanceOf(RuntimeUnavailableException.class)
                .satisfies(t -> assertThat(((RuntimeUnavailableException) t).attempts())
                        .extracting(RuntimeUnavailableException.Attempt::runtime)
                        .containsExactly(AbsentRuntimeProvider.NAME));
    }

    @Kit.Fixture
    @Sandboxed(disabledWithoutRuntime = false)
    static class EnclosingThatDoesNotSkip {
        @Nested
        class Inner {
            @Test
            void runs(@SandboxConfig(image = IMAGE, runtime = AbsentRuntimeProvider.NAME) Sandbox sandbox) {
                IDS.put("ran", sandbox.id());
            }
        }
    }

    @Test
    void sandboxedOnTheEnclosingClassGovernsNestedClasses() {
        // given: the enclosing class says not to skip; NeedsAbsentRuntime, which does not say so, is the control
        Class<?> fixture = EnclosingThatDoesNotSkip.class;

        // when
        EngineExecutionResults nested = Kit.run(fixture);
        EngineExecutionResults control = Kit.run(NeedsAbsentRuntime.class);

        // then
        nested.testEvents().assertStatistics(s -> s.started(1).failed(1).aborted(0));
        assertThat(Kit.failures(nested)).singleElement().isInstanceOf(RuntimeUnavailableException.class);
        control.testEvents().assertStatistics(s -> s.started(1).aborted(1).failed(0));
        assertThat(IDS).isEmpty();
    }

    @Kit.Fixture
    static class ProgrammaticAbsentRuntime {
        @RegisterExtension
        static final SandboxExtension SANDBOX = SandboxExtension.builder()
                .spec(Sandbox.builder().image(IMAGE).runtime(AbsentRuntimeProvider.NAME))
                .build();

        @Test
        void runs(Sandbox sandbox) {
            IDS.put("ran", sandbox.id());
        }
    }

    @Test
    void classWhoseRuntimeIsMissingIsSkippedByTheConditionWithTheReason() {
        // given
        Class<?> fixture = ProgrammaticAbsentRuntime.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        results.containerEvents().assertStatistics(s -> s.skipped(1));
        Event skipped = results.containerEvents().skipped().list().get(0);
        assertThat(Kit.reason(skipped)).startsWith("runtime absent-runtime is not usable: absent-runtime: "
                + "sandbox4j-absent-runtime not found on PATH");
        results.testEvents().assertStatistics(s -> s.started(0));
    }

    // ------------------------------------------------------------------------------------ failing start

    @Kit.Fixture
    @Sandboxed
    static class MissingImage {
        @Test
        void runs(@SandboxConfig(image = "localhost/sandbox4j-test/no-such-image:latest") Sandbox sandbox) {
            IDS.put("ran", sandbox.id());
        }
    }

    @Test
    void failingStartFailsTheTestWithTheTypedException() {
        // given
        Class<?> fixture = MissingImage.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        // core reports a missing image (with --pull=never) as SandboxConfigException saying how to get it
        assertThat(Kit.failures(results)).singleElement().isInstanceOf(SandboxConfigException.class)
                .satisfies(t -> assertThat(t).hasMessageContaining("no-such-image:latest is not available locally"));
        assertThat(IDS).isEmpty();
    }
}
