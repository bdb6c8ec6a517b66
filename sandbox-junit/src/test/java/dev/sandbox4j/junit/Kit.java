package dev.sandbox4j.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs fixture classes through the Jupiter engine test kit, and asks podman about containers. */
final class Kit {
    static final String MARKER = "dev.sandbox4j.junit.test-kit";

    private Kit() {
    }

    /** Fixture classes run only inside the test kit, never when a build tool or IDE picks them up directly. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(OnlyInKit.class)
    @interface Fixture {
    }

    static final class OnlyInKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(MARKER).isPresent()
                    ? ConditionEvaluationResult.enabled("run by the engine test kit")
                    : ConditionEvaluationResult.disabled("fixture: runs only through the engine test kit");
        }
    }

    static EngineExecutionResults run(Class<?>... classes) {
        return run(Map.of(), classes);
    }

    static EngineExecutionResults run(Map<String, String> parameters, Class<?>... classes) {
        EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter")
                .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toArray(org.junit.platform.engine.DiscoverySelector[]::new))
                .configurationParameter(MARKER, "true")
                // CI's SANDBOX4J_REQUIRE_RUNTIME=podman must not change what these fixtures do
                .configurationParameter(SandboxExtension.REQUIRE_RUNTIME_PROPERTY, "podman");
        parameters.forEach(kit::configurationParameter);
        return kit.execute();
    }

    /** The throwables of failed tests, for messages. */
    static List<Throwable> failures(EngineExecutionResults results) {
        return results.allEvents().failed().stream()
                .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
                .collect(Collectors.toList());
    }

    static List<Map<String, String>> reportEntries(EngineExecutionResults results) {
        return results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .collect(Collectors.toList());
    }

    static String reason(Event event) {
        return event.getPayload(String.class).orElseGet(() -> event.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable).map(Throwable::getMessage).orElse(""));
    }

    /** Whether podman still has a container with this id, running or not. */
    static boolean containerExists(String id) {
        int exit = CommandRunner.system().run(Command.of(List.of("podman", "container", "exists", id),
                Duration.ofSeconds(30))).exitCode();
        if (exit != 0 && exit != 1) {
            throw new IllegalStateException("podman container exists exited " + exit);
        }
        return exit == 0;
    }

    static void removeContainer(String id) {
        CommandRunner.system().run(Command.of(List.of("podman", "rm", "-f", "-t", "0", id), Duration.ofSeconds(60)))
                .requireSuccess();
    }
}
