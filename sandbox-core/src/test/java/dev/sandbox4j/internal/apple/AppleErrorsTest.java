package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.CommandResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AppleErrorsTest {

    static Stream<Fixture> errorFixtures() {
        return Fixture.all("errors").stream();
    }

    private static CommandResult failed(int exit, String stderr) {
        return new CommandResult(List.of("/usr/local/bin/container", "inspect", "x"), exit, new byte[0],
                stderr.getBytes(StandardCharsets.UTF_8), Duration.ZERO, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorFixtures")
    void everyDocumentedErrorTextIsClassifiedAsItsFixtureSays(Fixture f) {
        // when
        AppleErrorKind kind = AppleErrors.classify(Integer.parseInt(f.meta("exit")), f.payload());

        // then
        assertThat(kind).isEqualTo(AppleErrorKind.valueOf(f.meta("expect-kind")));
    }

    @Test
    void thereIsAtLeastOneFixtureForEveryKind() {
        assertThat(errorFixtures().map(f -> AppleErrorKind.valueOf(f.meta("expect-kind"))).distinct())
                .containsExactlyInAnyOrder(AppleErrorKind.values());
    }

    @Test
    void serviceNotRunningSaysToRunSystemStart() {
        // given
        String stderr = Fixture.load("errors/04-service-not-running.txt").payload();

        // when
        SandboxException e = AppleErrors.failure(failed(1, stderr), "listing containers");

        // then
        assertThat(e).isInstanceOf(AppleCliException.class).hasMessageContaining("run `container system start`");
        assertThat(((AppleCliException) e).kind()).isEqualTo(AppleErrorKind.SERVICE_NOT_RUNNING);
        assertThat(((AppleCliException) e).exitCode()).isEqualTo(1);
    }

    @Test
    void notFoundAndAlreadyExistsAreTypedCliFailures() {
        assertThat(((AppleCliException) AppleErrors.failure(failed(1, "Error: container not found: x"), "inspecting x"))
                .kind()).isEqualTo(AppleErrorKind.NOT_FOUND);
        assertThat(((AppleCliException) AppleErrors.failure(failed(1, "Error: container with id x already exists"),
                "starting x")).kind()).isEqualTo(AppleErrorKind.ALREADY_EXISTS);
    }

    @Test
    void usageErrorsDropTheUsageTextAndKeepTheArgv() {
        // given
        String stderr = Fixture.load("errors/19-usage.txt").payload();

        // when
        AppleCliException e = (AppleCliException) AppleErrors.failure(failed(64, stderr), "listing containers");

        // then
        assertThat(e.kind()).isEqualTo(AppleErrorKind.USAGE);
        assertThat(e.getMessage()).contains("Error: Unknown option '--bogusflag'").doesNotContain("See 'container");
        assertThat(e.argv()).containsExactly("/usr/local/bin/container", "inspect", "x");
        assertThat(e.stderr()).isEqualTo(stderr);
    }

    @Test
    void whatTheUserMustChangeBecomesAConfigException() {
        assertThat(AppleErrors.failure(failed(1, "Error: minimum memory amount allowed is 200 MiB (got 104857600 bytes)"),
                "starting x")).isInstanceOf(SandboxConfigException.class).hasMessageContaining("200m");
        assertThat(AppleErrors.failure(failed(1, Fixture.load("errors/16-port-unavailable.txt").payload()), "starting x"))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("free port");
        assertThat(AppleErrors.failure(failed(1, Fixture.load("errors/33-rosetta.txt").payload()), "starting x"))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("arm64");
        assertThat(AppleErrors.failure(failed(1, "Error: invalid format for image reference"), "starting x"))
                .isInstanceOf(SandboxConfigException.class);
    }

    @Test
    void apiServerTimeoutIsNotAServiceThatIsDownAndSaysTheRequestMayStillComplete() {
        // given
        String stderr = Fixture.load("errors/34-service-timeout.txt").payload();

        // when
        AppleCliException e = (AppleCliException) AppleErrors.failure(failed(1, stderr), "starting sandbox sb4j-1");

        // then
        assertThat(e.kind()).isEqualTo(AppleErrorKind.SERVICE_TIMEOUT);
        assertThat(e.getMessage()).contains("did not answer in time").contains("may still complete")
                .doesNotContain("is not running");
    }

    @Test
    void containerStillStoppingIsItsOwnKindEvenWhenWrappedByTheAggregateError() {
        // given
        String stderr = Fixture.load("errors/36-stopping.txt").payload();

        // when
        AppleCliException e = (AppleCliException) AppleErrors.failure(failed(1, stderr), "removing container sbx-1");

        // then
        assertThat(e.kind()).isEqualTo(AppleErrorKind.STOPPING);
        assertThat(e.getMessage()).contains("still stopping");
    }

    @Test
    void laterServiceDownWordingStillSaysToRunSystemStart() {
        // given
        String stderr = Fixture.load("errors/38-service-not-running.txt").payload();

        // when
        SandboxException e = AppleErrors.failure(failed(1, stderr), "listing containers");

        // then
        assertThat(((AppleCliException) e).kind()).isEqualTo(AppleErrorKind.SERVICE_NOT_RUNNING);
        assertThat(e).hasMessageContaining("run `container system start`");
    }
}
