package dev.sandbox4j.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The extension driven through the Jupiter engine test kit against real Podman. */
class SandboxExtensionTest extends KitTest {

    // ------------------------------------------------------------------------------------ per class / per method

    @Kit.Fixture
    @Sandboxed
    static class PerClassField {
        @SandboxField
        static final SandboxSpec SPEC = Sandbox.builder().image(IMAGE).build();

        @Test
        void first(Sandbox sandbox) {
            IDS.put("first", sandbox.id());
        }

        @Test
        void second(Sandbox sandbox) {
            IDS.put("second", sandbox.id());
        }
    }

    @Test
    void staticFieldGivesOneSandboxForTheClassAndRemovesItAfterwards() {
        // given
        Class<?> fixture = PerClassField.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(IDS.get("first")).isNotNull().isEqualTo(IDS.get("second"));
        assertThat(Kit.containerExists(IDS.get("first"))).isFalse();
    }

    @Kit.Fixture
    @Sandboxed
    static class EnclosingField {
        @SandboxField
        static final SandboxSpec SPEC = Sandbox.builder().image(IMAGE).build();

        @Test
        void outer(Sandbox sandbox) {
            IDS.put("outer", sandbox.id());
        }

        @Nested
        class Inner {
            @Test
            void inner(Sandbox sandbox) {
                IDS.put("inner", sandbox.id());
            }
        }
    }

    @Test
    void nestedClassWithoutAFieldGetsTheEnclosingClassSandbox() {
        // given
        Class<?> fixture = EnclosingField.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(IDS.get("inner")).isNotNull().isEqualTo(IDS.get("outer"));
        assertThat(Kit.containerExists(IDS.get("outer"))).isFalse();
    }

    @Kit.Fixture
    @Sandboxed
    static class PerMethodField {
        @SandboxField
        final SandboxSpec.Builder spec = Sandbox.builder().image(IMAGE);

        @Test
        void first(Sandbox sandbox) {
            IDS.put("first", sandbox.id());
            assertThat(Kit.containerExists(sandbox.id())).isTrue();
        }

        @Test
        void second(Sandbox sandbox) {
            IDS.put("second", sandbox.id());
            assertThat(Kit.containerExists(sandbox.id())).isTrue();
        }
    }

    @Test
    void instanceFieldGivesEachTestItsOwnSandboxAndRemovesEach() {
        // given
        Class<?> fixture = PerMethodField.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(IDS.get("first")).isNotNull().isNotEqualTo(IDS.get("second"));
        assertThat(Kit.containerExists(IDS.get("first"))).isFalse();
        assertThat(Kit.containerExists(IDS.get("second"))).isFalse();
    }

    // ------------------------------------------------------------------------------------ parameter injection

    @Kit.Fixture
    @Sandboxed
    static class Parameters {
        @SandboxField
        static final SandboxSpec TOOLS = Sandbox.builder().image(IMAGE).env("WHO", "field").build();

        static SandboxSpec.Builder fromMethod() {
            return Sandbox.builder().image(IMAGE).env("WHO", "method");
        }

        @Test
        void byImage(@SandboxConfig(image = IMAGE) Sandbox sandbox) {
            IDS.put("byImage", sandbox.id());
            assertThat(sandbox.exec("echo", "hi").stdout()).isEqualTo("hi\n");
        }

        @Test
        void byConfigFile(@SandboxConfig(config = "classpath:/junit/sandbox.json") Sandbox sandbox) {
            IDS.put("byConfigFile", sandbox.id());
            assertThat(sandbox.exec("sh", "-c", "echo $FROM_CONFIG; pwd").stdout()).isEqualTo("yes\n/work\n");
        }

        @Test
        void byMethod(@SandboxConfig(from = "fromMethod") Sandbox sandbox) {
            IDS.put("byMethod", sandbox.id());
            assertThat(sandbox.exec("sh", "-c", "echo $WHO").stdout()).isEqualTo("method\n");
        }

        @Test
        void byFieldName(@SandboxConfig(from = "TOOLS") Sandbox named, Sandbox unannotated) {
            IDS.put("named", named.id());
            IDS.put("unannotated", unannotated.id());
            assertThat(named.exec("sh", "-c", "echo $WHO").stdout()).isEqualTo("field\n");
        }
    }

    @Test
    void parametersGetSandboxesFromImageConfigFileMethodOrField() {
        // given
        Class<?> fixture = Parameters.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        assertThat(Kit.failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
        assertThat(IDS.get("named")).isEqualTo(IDS.get("unannotated"));
        assertThat(List.of(IDS.get("byImage"), IDS.get("byConfigFile"), IDS.get("byMethod"), IDS.get("named")))
                .doesNotHaveDuplicates().noneMatch(Kit::containerExists);
    }

    // ------------------------------------------------------------------------------------ keep on failure

    @Kit.Fixture
    @Sandboxed(cleanup = CleanupMode.ON_SUCCESS)
    static class KeepOnFailure {
        @SandboxField
        final SandboxSpec spec = Sandbox.builder().image(IMAGE).build();

        @Test
        void fails(Sandbox sandbox) {
            IDS.put("fails", sandbox.id());
            fail("deliberate failure");
        }

        @Test
        void passes(Sandbox sandbox) {
            IDS.put("passes", sandbox.id());
        }
    }

    @Test
    void failedTestKeepsItsSandboxAndReportsItsIdWhenAsked() {
        // given
        Class<?> fixture = KeepOnFailure.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        String kept = IDS.get("fails");
        try {
            results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
            assertThat(Kit.containerExists(kept)).isTrue();
            assertThat(Kit.containerExists(IDS.get("passes"))).isFalse();
            assertThat(Kit.reportEntries(results)).singleElement()
                    .satisfies(e -> assertThat(e).containsEntry(SandboxExtension.KEPT_REPORT_KEY, kept));
        } finally {
            if (kept != null && Kit.containerExists(kept)) {
                Kit.removeContainer(kept);
            }
        }
    }

    @Kit.Fixture
    @Sandboxed
    static class FailureWithoutKeep {
        @SandboxField
        final SandboxSpec spec = Sandbox.builder().image(IMAGE).build();

        @Test
        void fails(Sandbox sandbox) {
            IDS.put("fails", sandbox.id());
            fail("deliberate failure");
        }
    }

    @Test
    void failedTestStillRemovesItsSandboxByDefault() {
        // given
        Class<?> fixture = FailureWithoutKeep.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(Kit.containerExists(IDS.get("fails"))).isFalse();
        assertThat(Kit.reportEntries(results)).isEmpty();
    }

    @Test
    void cleanupModeConfigurationParameterAppliesWhenNothingElseSaysSo() {
        // given
        Map<String, String> parameters = Map.of(SandboxExtension.DEFAULT_CLEANUP_MODE_PROPERTY, "on_success");

        // when
        EngineExecutionResults results = Kit.run(parameters, FailureWithoutKeep.class);

        // then
        String kept = IDS.get("fails");
        try {
            results.testEvents().assertStatistics(s -> s.started(1).failed(1));
            assertThat(Kit.containerExists(kept)).isTrue();
        } finally {
            if (kept != null && Kit.containerExists(kept)) {
                Kit.removeContainer(kept);
            }
        }
    }

    // ------------------------------------------------------------------------------------ programmatic

    @Kit.Fixture
    static class ProgrammaticPerClass {
        @RegisterExtension
        static final SandboxExtension SANDBOX = SandboxExtension.builder()
                .spec(Sandbox.builder().image(IMAGE))
                .lifecycle(SandboxExtension.Lifecycle.PER_CLASS)
                .build();

        @Test
        void first(Sandbox sandbox) {
            IDS.put("first", sandbox.id());
            assertThat(SANDBOX.sandbox().id()).isEqualTo(sandbox.id());
        }

        @Test
        void second() {
            IDS.put("second", SANDBOX.sandbox().id());
        }
    }

    @Test
    void programmaticPerClassExtensionSharesOneSandboxInTheClass() {
        // given
        Class<?> fixture = ProgrammaticPerClass.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        assertThat(Kit.failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(IDS.get("first")).isNotNull().isEqualTo(IDS.get("second"));
        assertThat(Kit.containerExists(IDS.get("first"))).isFalse();
    }

    @Kit.Fixture
    static class ProgrammaticPerMethodKeep {
        @RegisterExtension
        static final SandboxExtension SANDBOX = SandboxExtension.builder()
                .spec(Sandbox.builder().image(IMAGE))
                .lifecycle(SandboxExtension.Lifecycle.PER_METHOD)
                .keepOnFailure(true)
                .build();

        @Test
        void passes(Sandbox sandbox) {
            IDS.put("passes", sandbox.id());
        }

        @Test
        void fails(Sandbox sandbox) {
            IDS.put("fails", sandbox.id());
            throw new IllegalStateException("deliberate");
        }
    }

    @Test
    void programmaticPerMethodExtensionKeepsOnlyTheFailedTestsSandbox() {
        // given
        Class<?> fixture = ProgrammaticPerMethodKeep.class;

        // when
        EngineExecutionResults results = Kit.run(fixture);

        // then
        String kept = IDS.get("fails");
        try {
            results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
            assertThat(kept).isNotEqualTo(IDS.get("passes"));
            assertThat(Kit.containerExists(kept)).isTrue();
            assertThat(Kit.containerExists(IDS.get("passes"))).isFalse();
        } finally {
            if (kept != null && Kit.containerExists(kept)) {
                Kit.removeContainer(kept);
            }
        }
    }
}
