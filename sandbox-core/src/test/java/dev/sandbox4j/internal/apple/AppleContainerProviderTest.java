package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppleContainerProviderTest {
    @TempDir
    Path tmp;

    private static HostEnvironment mac(Map<String, String> env) {
        return HostEnvironment.of(HostEnvironment.Os.MACOS, "arm64", "26.1", 10, 32L << 30, OptionalInt.empty(), env);
    }

    private Path executable(String name) throws IOException {
        Path p = Files.writeString(tmp.resolve(name), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void providerIsRegisteredForServiceLoaderUnderItsName() {
        assertThat(Runtimes.providers()).extracting(RuntimeProvider::name).contains("apple-container", "podman");
    }

    @Test
    void goodMacWithTheCliOnPathIsDetected() throws IOException {
        // given
        executable("container");
        AppleContainerProvider p = AppleContainerProvider.builder().hostFacts(FakeHostFacts.goodMac()).build();

        // when / then
        assertThat(p.detect(mac(Map.of("PATH", tmp.toString())))).isTrue();
    }

    @Test
    void cliFromTheEnvironmentVariableWins() throws IOException {
        // given
        Path cli = executable("my-container");
        executable("container");
        AppleContainerProvider p = AppleContainerProvider.builder().hostFacts(FakeHostFacts.goodMac()).build();

        // when
        var resolved = p.resolveCli(mac(Map.of("PATH", tmp.toString(), "SANDBOX4J_CONTAINER_CLI", cli.toString())));

        // then
        assertThat(resolved).contains(cli);
    }

    @Test
    void configuredCliThatIsNotExecutableIsNamedInTheReason() {
        // given
        AppleContainerProvider p = AppleContainerProvider.builder().hostFacts(FakeHostFacts.goodMac())
                .cli(tmp.resolve("nope")).build();

        // when
        String reason = p.unavailableReason(mac(Map.of()));

        // then
        assertThat(reason).contains(tmp.resolve("nope").toString()).contains("not an executable file");
    }

    @Test
    void missingCliSaysWhereToGetIt() {
        // given
        AppleContainerProvider p = AppleContainerProvider.builder().hostFacts(FakeHostFacts.goodMac()).build();

        // when
        List<String> problems = p.problems(mac(Map.of("PATH", tmp.toString())));

        // then
        assertThat(problems).singleElement().asString().contains("github.com/apple/container/releases");
    }

    @Test
    void hostProblemsComeBeforeTheCliAndCanBeTurnedOffByEnvironment() throws IOException {
        // given
        FakeHostFacts intel = FakeHostFacts.goodMac();
        intel.longs.put("hw.optional.arm64", 0L);
        Path cli = executable("container");
        AppleContainerProvider p = AppleContainerProvider.builder().hostFacts(intel).cli(cli).build();

        // when / then
        assertThat(p.unavailableReason(mac(Map.of()))).contains("Apple silicon");
        assertThat(p.detect(mac(Map.of("SANDBOX4J_CONTAINER_HOST_CHECKS", "false")))).isTrue();
    }

    @Test
    void createRefusesACliWithoutVersion() throws IOException {
        // given
        Path cli = Files.writeString(tmp.resolve("container"),
                "#!/bin/sh\necho 'container CLI version  (build: release, commit: )'\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwxr-xr-x"));
        AppleContainerProvider p = AppleContainerProvider.builder().cli(cli).hostChecks(false).build();

        // when / then
        assertThatThrownBy(() -> p.create(mac(Map.of()), dev.sandbox4j.spi.CommandRunner.system()))
                .isInstanceOf(RuntimeUnavailableException.class).hasMessageContaining("release build");
    }

    @Test
    void createReadsLimitsFromTheHostFacts() {
        // given
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.maxCpus = 6;
        ScriptedRunner runner = new ScriptedRunner()
                .expect(List.of("/opt/container", "--version"), "container CLI version 1.2.2 (build: release, commit: 0190097)\n")
                .expect(List.of("/opt/container", "system", "status", "--format", "json"),
                        Fixture.load("captured/system-status-1.2.2-micropod.json").payload());
        AppleContainerProvider withCli = AppleContainerProvider.builder().hostFacts(facts).cli(Path.of("/opt/container")).build();

        // when
        AppleContainerBackend backend = (AppleContainerBackend) withCli.createFor("/opt/container", mac(Map.of()), runner);

        // then
        assertThat(backend.limits()).isEqualTo(new AppleHostCheck.Limits(6, 32L << 30, 32L << 30));
        runner.assertDone();
    }

    @Test
    void cli01xIsRefusedNamingTheInstalledVersionAndTheUpdate() {
        // given: the 0.1.0 banner from the captured version strings (apple/container #36); 0.1.x has no
        // `system status` (Sources/CLI/System/SystemStatus.swift first exists at tag 0.2.0)
        String banner = Fixture.load("captured/version-strings.txt").payload().lines().findFirst().orElseThrow();
        ScriptedRunner runner = new ScriptedRunner().expect(List.of("/opt/container", "--version"), banner + "\n");
        AppleContainerProvider p = AppleContainerProvider.builder().cli(Path.of("/opt/container")).hostChecks(false)
                .build();

        // when / then
        assertThatThrownBy(() -> p.createFor("/opt/container", mac(Map.of()), runner))
                .isInstanceOf(RuntimeUnavailableException.class)
                .hasMessageContaining("/opt/container is container 0.1.0")
                .hasMessageContaining("needs 0.2.0 or later")
                .hasMessageContaining("update-container.sh");
        runner.assertDone();
    }

    @Test
    void cli020IsTheOldestAcceptedAndReadsTheTextStatus() {
        // given: 0.2.0 prints the status as text (Sources/CLI/System/SystemStatus.swift at tag 0.2.0 prints
        // "Verifying apiserver is running..." then "apiserver is running"; --format json came in 0.10.0)
        ScriptedRunner runner = new ScriptedRunner()
                .expect(List.of("/opt/container", "--version"), "container CLI version 0.2.0 (build: release, commit: 3b5c253)\n")
                .expect(List.of("/opt/container", "system", "status"),
                        "Verifying apiserver is running...\napiserver is running\n");
        AppleContainerProvider p = AppleContainerProvider.builder().cli(Path.of("/opt/container")).hostChecks(false)
                .build();

        // when
        AppleContainerBackend backend = (AppleContainerBackend) p.createFor("/opt/container", mac(Map.of()), runner);

        // then
        assertThat(backend.version()).isEqualTo(new AppleCliVersion(0, 2, 0));
        runner.assertDone();
    }
}
