package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.CommandFailedException;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.LaunchRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppleContainerBackendTest {
    private static final String CLI = "/usr/local/bin/container";
    private static final Duration T = Duration.ofSeconds(10);
    private static final String RUNNING = Fixture.load("captured/system-status-1.2.2-micropod.json").payload();
    private static final String DOWN = Fixture.load("constructed/system-status-1.2.2-down.json").payload();
    private static final String XPC = Fixture.load("errors/04-service-not-running.txt").payload();
    private static final AppleHostCheck.Limits MAC = new AppleHostCheck.Limits(10, 32L << 30, 32L << 30);

    @TempDir
    Path tmp;

    private static AppleContainerBackend backend(ScriptedRunner runner, String version) {
        return new AppleContainerBackend(runner, new AppleContainerArgs(CLI, AppleCliVersion.parse(version)),
                AppleRunOptions.DEFAULTS, MAC);
    }

    private static List<String> argv(String... rest) {
        List<String> a = new ArrayList<>(List.of(CLI));
        a.addAll(List.of(rest));
        return a;
    }

    @Test
    void systemServiceThatIsDownIsStartedNonInteractively() {
        // given
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("system", "status", "--format", "json"), 1, DOWN, "")
                .expect(argv("system", "start", "--enable-kernel-install"), 0, "", "Launching container-apiserver...\n")
                .expect(argv("system", "status", "--format", "json"), RUNNING);

        // when
        backend(runner, "1.2.2").ensureServiceRunning();

        // then
        runner.assertDone();
        assertThat(runner.seen.get(1).stdin()).isEmpty();
    }

    @Test
    void runningServiceIsLeftAlone() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("system", "status", "--format", "json"), RUNNING);

        // when
        backend(runner, "1.2.2").ensureServiceRunning();

        // then
        runner.assertDone();
    }

    @Test
    void serviceThatWillNotStartMakesTheRuntimeUnavailableWithTheFix() {
        // given
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("system", "status", "--format", "json"), 1, DOWN, "")
                .expect(argv("system", "start", "--enable-kernel-install"), 1, "", XPC);

        // when / then
        assertThatThrownBy(() -> backend(runner, "1.2.2").ensureServiceRunning())
                .isInstanceOf(RuntimeUnavailableException.class).hasMessageContaining("run `container system start`");
    }

    @Test
    void commandThatFindsTheServiceDownStartsItAndRunsAgain() {
        // given
        String list = Fixture.load("captured/list-1.2.2-micropod.json").payload();
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("list", "--all", "--format", "json"), 1, "", XPC)
                .expect(argv("system", "status", "--format", "json"), 1, DOWN, "")
                .expect(argv("system", "start", "--enable-kernel-install"), "")
                .expect(argv("system", "status", "--format", "json"), RUNNING)
                .expect(argv("list", "--all", "--format", "json"), list);

        // when
        List<ContainerInfo> all = backend(runner, "1.2.2").list(Map.of(), T);

        // then
        assertThat(all).extracting(ContainerInfo::id).containsExactly("buildkit", "greenveil-nutrients-31567931656-1");
        runner.assertDone();
    }

    @Test
    void everyCliCallScrubsTheDefaultPlatformVariable() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("logs", "sb4j-1"), "hello\n");

        // when
        backend(runner, "1.2.2").logs("sb4j-1", T);

        // then
        assertThat(runner.seen).extracting(Command::unsetEnv).allSatisfy(u -> assertThat(u).contains("CONTAINER_DEFAULT_PLATFORM"));
    }

    @Test
    void listFiltersByLabelOnOurSide() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("list", "--all", "--format", "json"),
                Fixture.load("captured/list-1.2.2-micropod.json").payload());

        // when
        List<ContainerInfo> builders = backend(runner, "1.2.2").list(Map.of("com.apple.container.resource.role", "builder"), T);

        // then
        assertThat(builders).extracting(ContainerInfo::id).containsExactly("buildkit");
    }

    @Test
    void startChoosesAFreeLoopbackPortAndReportsIt() {
        // given
        SandboxSpec spec = Sandbox.builder().image("docker.io/library/alpine:3.20").publish(8080).build();
        LaunchRequest request = new LaunchRequest(spec, "docker.io/library/alpine:3.20", "sb4j-1", Map.of(),
                Optional.empty(), List.of(), List.of());
        CapturingRunner runner = new CapturingRunner("sb4j-1\n");

        // when
        ContainerInfo info = new AppleContainerBackend(runner, new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")),
                AppleRunOptions.DEFAULTS, MAC).start(request, T);

        // then
        int hostPort = info.hostPorts().get(8080);
        assertThat(hostPort).isGreaterThan(1023);
        assertThat(runner.argv).containsSequence("--publish", "127.0.0.1:" + hostPort + ":8080/tcp");
        assertThat(info).isEqualTo(new ContainerInfo("sb4j-1", "sb4j-1", Map.of(8080, hostPort), Map.of(), true));
    }

    /**
     * The 1.2.2 sbx-1 container of {@code constructed/list-1.2.2-sbx.json} renamed to {@code name}, with
     * {@code labels} and {@code state} (constructed from ManagedContainer/ContainerStatus.swift, tag 1.2.2).
     */
    static String inspectJson(String name, Map<String, String> labels, String state) {
        StringBuilder l = new StringBuilder();
        new java.util.TreeMap<>(labels).forEach((k, v) -> l.append(l.length() == 0 ? "" : ",").append('"').append(k)
                .append("\":\"").append(v).append('"'));
        String json = Fixture.load("constructed/list-1.2.2-sbx.json").payload()
                .replace("\"labels\":{\"dev.example.sandbox\":\"1\"}", "\"labels\":{" + l + "}")
                .replace("\"state\":\"running\"", "\"state\":\"" + state + "\"")
                .replace("sbx-1", name);
        return state.equals("running") ? json : json.replaceAll("\"networks\":\\[\\{\"hostname.*?\\}\\],\"startedDate\"",
                "\"networks\":[],\"startedDate\"");
    }

    private static LaunchRequest request(String name, Map<String, String> labels) {
        SandboxSpec spec = Sandbox.builder().image("docker.io/library/alpine:3.20").build();
        return new LaunchRequest(spec, "docker.io/library/alpine:3.20", name, labels, Optional.empty(), List.of(),
                List.of());
    }

    private static final Map<String, String> OURS = Map.of("dev.sandbox4j.managed", "true",
            "dev.sandbox4j.owner", "1-2-abcd", "dev.sandbox4j.sandbox", "sb4j-1");

    @Test
    void nameTakenByAContainerThatIsNotOursIsRefusedAndNeverDeleted() {
        // given
        LaunchRequest request = request("sb4j-1", OURS);
        List<String> run = new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")).run(request, List.of(),
                AppleRunOptions.DEFAULTS);
        ScriptedRunner runner = new ScriptedRunner()
                .expect(run, 1, "", "Error: container with id sb4j-1 already exists\n")
                .expect(argv("inspect", "sb4j-1"), inspectJson("sb4j-1", Map.of("team", "someone-else"), "running"));
        AppleContainerBackend b = backend(runner, "1.2.2");

        // when / then
        assertThatThrownBy(() -> b.start(request, T))
                .isInstanceOf(SandboxStartException.class)
                .hasCauseInstanceOf(AppleCliException.class)
                .hasMessageContaining("not created by this sandbox").hasMessageContaining("left untouched");
        b.remove("sb4j-1", T);   // what a failed start's cleanup does: must not reach the CLI
        runner.assertDone();
    }

    @Test
    void runThatTimedOutButCreatedAndStartedOurContainerIsAdoptedWithoutRunningAgain() {
        // given: XPC timeout for containerCreate (errors/34), yet the server finished the run
        LaunchRequest request = request("sb4j-1", OURS);
        List<String> run = new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")).run(request, List.of(),
                AppleRunOptions.DEFAULTS);
        ScriptedRunner runner = new ScriptedRunner()
                .expect(run, 1, "", Fixture.load("errors/34-service-timeout.txt").payload())
                .expect(argv("inspect", "sb4j-1"), inspectJson("sb4j-1", OURS, "running"));

        // when
        ContainerInfo info = backend(runner, "1.2.2").start(request, T);

        // then
        assertThat(info).isEqualTo(new ContainerInfo("sb4j-1", "sb4j-1", Map.of(), OURS, true));
        runner.assertDone();
    }

    @Test
    void runThatTimedOutLeavingOurContainerStoppedRemovesItAndRunsOnceMore() {
        // given
        LaunchRequest request = request("sb4j-1", OURS);
        List<String> run = new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")).run(request, List.of(),
                AppleRunOptions.DEFAULTS);
        ScriptedRunner runner = new ScriptedRunner()
                .expect(run, 1, "", Fixture.load("errors/34-service-timeout.txt").payload())
                .expect(argv("inspect", "sb4j-1"), inspectJson("sb4j-1", OURS, "stopped"))
                .expect(argv("delete", "--force", "sb4j-1"), "sb4j-1\n")
                .expect(run, "sb4j-1\n");

        // when
        ContainerInfo info = backend(runner, "1.2.2").start(request, T);

        // then
        assertThat(info.id()).isEqualTo("sb4j-1");
        runner.assertDone();
    }

    @Test
    void runWhoseConnectionDroppedIsRetriedAfterTheServiceCheckAndAdoptsWhatTheFirstAttemptMade() {
        // given: the first run loses its connection (errors/39), the service answers as running, the second run
        // finds the name taken by the container the first one created
        LaunchRequest request = request("sb4j-1", OURS);
        List<String> run = new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")).run(request, List.of(),
                AppleRunOptions.DEFAULTS);
        ScriptedRunner runner = new ScriptedRunner()
                .expect(run, 1, "", Fixture.load("errors/39-service-not-running.txt").payload())
                .expect(argv("system", "status", "--format", "json"), RUNNING)
                .expect(run, 1, "", "Error: container with id sb4j-1 already exists\n")
                .expect(argv("inspect", "sb4j-1"), inspectJson("sb4j-1", OURS, "running"));

        // when
        ContainerInfo info = backend(runner, "1.2.2").start(request, T);

        // then
        assertThat(info.running()).isTrue();
        runner.assertDone();
    }

    @Test
    void apiServerTimeoutNeverStartsTheServiceAndIsATypedFailure() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("list", "--all", "--format", "json"), 1, "",
                Fixture.load("errors/35-service-timeout.txt").payload());

        // when / then
        assertThatThrownBy(() -> backend(runner, "1.2.2").list(Map.of(), T))
                .isInstanceOf(AppleCliException.class)
                .extracting(e -> ((AppleCliException) e).kind()).isEqualTo(AppleErrorKind.SERVICE_TIMEOUT);
        runner.assertDone();
    }

    @Test
    void removeWaitsWhileTheContainerIsStillStoppingAndDeletesAgain() {
        // given: --force cannot delete a stopping container (errors/36)
        String stopping = Fixture.load("errors/36-stopping.txt").payload().replace("sbx-1", "sb4j-1");
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("delete", "--force", "sb4j-1"), 1, "", stopping)
                .expect(argv("delete", "--force", "sb4j-1"), 1, "", stopping)
                .expect(argv("delete", "--force", "sb4j-1"), "sb4j-1\n");

        // when
        backend(runner, "1.2.2").remove("sb4j-1", T);

        // then
        runner.assertDone();
    }

    @Test
    void removeOfA0xContainerWhoseDeleteSaysNothingClearAsksItsStateAndWaits() {
        // given: 0.9.0 prints only "delete failed for one or more containers" on stderr (the reason went to the
        // log), and inspect shows the 0.x layout with status "stopping"
        String zeroX = Fixture.load("captured/inspect-0.4.1-tcb.json").payload().replace("tcb-ap01", "sb4j-1")
                .replace("\"status\":\"running\"", "\"status\":\"stopping\"");
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("delete", "--force", "sb4j-1"), 1, "",
                        "Error: internalError: \"delete failed for one or more containers: [\"sb4j-1\"]\"\n")
                .expect(argv("inspect", "sb4j-1"), zeroX)
                .expect(argv("delete", "--force", "sb4j-1"), "sb4j-1\n");

        // when
        backend(runner, "0.9.0").remove("sb4j-1", T);

        // then
        runner.assertDone();
    }

    @Test
    void removeThatStaysStoppingGivesUpWithATimeoutAtTheDeadline() {
        // given: a container that never finishes stopping
        String stopping = Fixture.load("errors/36-stopping.txt").payload().replace("sbx-1", "sb4j-1");
        dev.sandbox4j.spi.CommandRunner always = new dev.sandbox4j.spi.CommandRunner() {
            @Override
            public dev.sandbox4j.spi.CommandResult run(Command command) {
                assertThat(command.argv()).isEqualTo(argv("delete", "--force", "sb4j-1"));
                return new dev.sandbox4j.spi.CommandResult(command.argv(), 1, new byte[0],
                        stopping.getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ZERO, 0);
            }

            @Override
            public dev.sandbox4j.spi.RunningCommand start(Command command) {
                throw new AssertionError("not expected: " + command.argv());
            }
        };
        AppleContainerBackend b = new AppleContainerBackend(always,
                new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")), AppleRunOptions.DEFAULTS, MAC);

        // when / then
        assertThatThrownBy(() -> b.remove("sb4j-1", Duration.ofMillis(300)))
                .isInstanceOf(dev.sandbox4j.SandboxTimeoutException.class)
                .hasMessageContaining("still stopping").hasMessageContaining("container delete --force sb4j-1");
    }

    @Test
    void validateCountsTheVmOverheadOfOneCpu() {
        // given
        AppleContainerBackend b = new AppleContainerBackend(new ScriptedRunner(),
                new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")), AppleRunOptions.DEFAULTS,
                new AppleHostCheck.Limits(2, 32L << 30, 32L << 30));
        SandboxSpec two = Sandbox.builder().image("docker.io/library/alpine:3.20").cpus(2).build();
        SandboxSpec one = Sandbox.builder().image("docker.io/library/alpine:3.20").cpus(1).build();

        // when / then
        assertThatThrownBy(() -> b.validate(two)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("VM of 3 vCPUs").hasMessageContaining("cpus(1) or fewer");
        b.validate(one);
    }

    @Test
    void validateCountsTheVmOverheadOf128MibAndTheDefaultOf1Gib() {
        // given
        AppleContainerBackend b = new AppleContainerBackend(new ScriptedRunner(),
                new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")), AppleRunOptions.DEFAULTS,
                new AppleHostCheck.Limits(1, 1L << 30, 16L << 30));
        SandboxSpec defaults = Sandbox.builder().image("docker.io/library/alpine:3.20").build();
        SandboxSpec fits = Sandbox.builder().image("docker.io/library/alpine:3.20").memory("896m").build();

        // when / then
        assertThatThrownBy(() -> b.validate(defaults)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("default of 4 CPUs");
        AppleContainerBackend roomy = new AppleContainerBackend(new ScriptedRunner(),
                new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")), AppleRunOptions.DEFAULTS,
                new AppleHostCheck.Limits(10, 1L << 30, 16L << 30));
        assertThatThrownBy(() -> roomy.validate(defaults)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("default memory of 1g").hasMessageContaining("at most 896m");
        roomy.validate(fits);
    }

    @Test
    void validateRefusesLessThan200Mib() {
        // given
        SandboxSpec small = Sandbox.builder().image("docker.io/library/alpine:3.20").memory("128m").build();

        // when / then
        assertThatThrownBy(() -> backend(new ScriptedRunner(), "1.2.2").validate(small))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("200m");
    }

    @Test
    void missingImageWithPullNeverSaysHowToGetIt() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("image", "list", "--format", "json"),
                Fixture.load("constructed/image-list-1.2.0-vscode.json").payload());
        SandboxSpec spec = Sandbox.builder().image("docker.io/library/python:3.12").build();

        // when / then
        assertThatThrownBy(() -> backend(runner, "1.2.2").prepareImage(spec, T))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("container image pull");
    }

    @Test
    void presentImageIsFoundByNormalisedReference() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("image", "list", "--format", "json"),
                Fixture.load("constructed/image-list-1.2.0-vscode.json").payload());
        SandboxSpec spec = Sandbox.builder().image("alpine").build();

        // when
        String image = backend(runner, "1.2.2").prepareImage(spec, T);

        // then
        assertThat(image).isEqualTo("alpine");
    }

    @Test
    void pullAlwaysPullsQuietly() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("image", "pull", "--progress", "none", "alpine:3.20"), "");
        SandboxSpec spec = Sandbox.builder().image("alpine:3.20").pullPolicy(PullPolicy.ALWAYS).build();

        // when
        backend(runner, "1.2.2").prepareImage(spec, T);

        // then
        runner.assertDone();
    }

    @Test
    void workloadExitCodeAndStreamsAreAResultNotAnException() {
        // given
        CapturingRunner runner = new CapturingRunner(3, "hi\n", "Error: oops\n");

        // when
        ExecResult r = new AppleContainerBackend(runner, new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")),
                AppleRunOptions.DEFAULTS, MAC).exec("sb4j-1", Exec.of("sh", "-c", "x"), ExecListener.NONE);

        // then
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEqualTo("Error: oops\n");
    }

    @Test
    void execInAStoppedContainerIsACliFailure() {
        // given
        CapturingRunner runner = new CapturingRunner(1, "", "Error: container sb4j-1 is not running\n");

        // when / then
        assertThatThrownBy(() -> new AppleContainerBackend(runner, new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2")),
                AppleRunOptions.DEFAULTS, MAC).exec("sb4j-1", Exec.of("true"), ExecListener.NONE))
                .isInstanceOf(AppleCliException.class).extracting(e -> ((AppleCliException) e).kind())
                .isEqualTo(AppleErrorKind.NOT_RUNNING);
    }

    @Test
    void execRefusedByTheRuntimeHelperWithoutNamingTheContainerIsStillACliFailure() {
        // given: errors/40 (RuntimeService.swift says "cannot exec: container is not running", without the id)
        CapturingRunner runner = new CapturingRunner(1, "", Fixture.load("errors/40-not-running.txt").payload());

        // when / then
        assertThatThrownBy(() -> new AppleContainerBackend(runner, new AppleContainerArgs(CLI,
                AppleCliVersion.parse("1.2.2")), AppleRunOptions.DEFAULTS, MAC).exec("sb4j-1", Exec.of("true"),
                ExecListener.NONE))
                .isInstanceOf(AppleCliException.class).extracting(e -> ((AppleCliException) e).kind())
                .isEqualTo(AppleErrorKind.NOT_RUNNING);
    }

    @Test
    void stoppingAContainerThatAnOlderRuntimeSaysIsNotRunningIsNotAnError() {
        // given: "cannot stop: container is not running" (Sources/Services/ContainerSandboxService/SandboxService.swift
        // @ tags 0.1.0-0.4.1; 0.5.0 and later stop idempotently)
        ScriptedRunner runner = new ScriptedRunner().expect(argv("stop", "--time", "5", "sb4j-1"), 1, "",
                "Error: internalError: \"failed to stop container\" (cause: \"invalidState: \"cannot stop: container "
                        + "is not running\"\")\n");

        // when
        backend(runner, "0.2.0").stop("sb4j-1", Duration.ofSeconds(5), T);

        // then
        runner.assertDone();
    }

    @Test
    void removingAContainerThatIsGoneIsNotAnError() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("delete", "--force", "sb4j-1"), 1, "",
                Fixture.load("errors/11-not-found.txt").payload().replace("aoe-sandbox-abc123", "sb4j-1"));

        // when
        backend(runner, "1.2.2").remove("sb4j-1", T);

        // then
        runner.assertDone();
    }

    @Test
    void removingFailsLoudlyForOtherErrors() {
        // given
        ScriptedRunner runner = new ScriptedRunner().expect(argv("delete", "--force", "sb4j-1"), 1, "",
                "Error: internalError: \"failed to delete container\"\n")
                .expect(argv("inspect", "sb4j-1"), inspectJson("sb4j-1", OURS, "stopped"));

        // when / then
        assertThatThrownBy(() -> backend(runner, "1.2.2").remove("sb4j-1", T)).isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("removing container sb4j-1");
    }

    @Test
    void zeroXCopyStreamsTarThroughExecBothWays() throws IOException {
        // given
        Path in = Files.writeString(tmp.resolve("input.txt"), "to the sandbox\n");
        byte[] fromContainer = TarStreams.pack(Files.writeString(tmp.resolve("x"), "from the sandbox\n"), "out.txt");
        ScriptedRunner runner = new ScriptedRunner()
                .expect(new AppleContainerArgs(CLI, AppleCliVersion.parse("0.12.3")).tarInto("sb4j-1", "/work/input.txt",
                        "input.txt"), "")
                .expect(argv("exec", "--user", "0", "sb4j-1", "tar", "-c", "-f", "-", "-C", "/work", "out.txt"),
                        new String(fromContainer, java.nio.charset.StandardCharsets.ISO_8859_1));
        AppleContainerBackend b = backend(runner, "0.12.3");

        // when
        b.copyTo("sb4j-1", in, "/work/input.txt", T);
        b.copyFrom("sb4j-1", "/work/out.txt", tmp.resolve("out.txt"), T);

        // then
        byte[] sent = runner.seen.get(0).stdin().orElseThrow();
        TarStreams.unpack(new java.io.ByteArrayInputStream(sent), "input.txt", tmp.resolve("check.txt"));
        assertThat(tmp.resolve("check.txt")).hasContent("to the sandbox");
        assertThat(tmp.resolve("out.txt")).hasContent("from the sandbox");
        assertThat(b.copiesWithCli()).isFalse();
    }

    @Test
    void copyFallsBackToTheCliOnlyWhenTheImageLacksTheToolsForTar() throws IOException {
        // given: the tar script exits 126 when tar/mktemp/dirname/mv are missing; 1.2.2 has `container copy`
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "p\n");
        AppleContainerArgs a = new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2"));
        ScriptedRunner runner = new ScriptedRunner()
                .expect(a.tarInto("sb4j-1", "/work/plain.txt", "plain.txt"), AppleContainerArgs.TOOLS_MISSING, "", "")
                .expect(argv("copy", plain.toString(), "sb4j-1:/work/plain.txt"), "sb4j-1:/work/plain.txt\n");

        // when
        backend(runner, "1.2.2").copyTo("sb4j-1", plain, "/work/plain.txt", T);

        // then
        runner.assertDone();
    }

    @Test
    void copyIntoAMissingDirectoryIsAnErrorAndNeverFallsBackToTheCliThatWouldCreateIt() throws IOException {
        // given: the script's own refusal (exit 1), as podman cp refuses a missing parent
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "p\n");
        AppleContainerArgs a = new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2"));
        ScriptedRunner runner = new ScriptedRunner().expect(a.tarInto("sb4j-1", "/nope/plain.txt", "plain.txt"), 1, "",
                "sandbox4j copy: /nope: no such directory in the container\n");

        // when / then
        assertThatThrownBy(() -> backend(runner, "1.2.2").copyTo("sb4j-1", plain, "/nope/plain.txt", T))
                .isInstanceOf(AppleCliException.class).hasMessageContaining("/nope: no such directory");
        assertThatThrownBy(() -> backend(new ScriptedRunner(), "1.2.2").copyFrom("sb4j-1", "/work/x",
                tmp.resolve("missing/x"), T)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("does not exist");
        runner.assertDone();
    }

    @Test
    void colonInAPathNeverFallsBackToTheCliWhichWouldSplitIt() throws IOException {
        // given
        Path colon = Files.writeString(tmp.resolve("a:b.txt"), "c\n");
        AppleContainerArgs a = new AppleContainerArgs(CLI, AppleCliVersion.parse("1.2.2"));
        ScriptedRunner runner = new ScriptedRunner().expect(a.tarInto("sb4j-1", "/work/c.txt", "a:b.txt"),
                AppleContainerArgs.TOOLS_MISSING, "", "");

        // when / then
        assertThatThrownBy(() -> backend(runner, "1.2.2").copyTo("sb4j-1", colon, "/work/c.txt", T))
                .isInstanceOf(AppleCliException.class);
        runner.assertDone();
    }

    @Test
    void networkIsCreatedInspectedAndRemovedByName() {
        // given
        String inspect = Fixture.load("captured/network-inspect-1.0.0-dcp.json").payload().replace("\"default\"", "\"sb4j-net-1\"");
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("network", "create", "--label", "dev.sandbox4j.managed=true", "sb4j-net-1"), "sb4j-net-1\n")
                .expect(argv("network", "inspect", "sb4j-net-1"), inspect)
                .expect(argv("network", "delete", "sb4j-net-1"), 1, "", "Error: network sb4j-net-1 not found\n");
        AppleContainerBackend b = backend(runner, "1.2.2");

        // when
        var info = b.createNetwork("sb4j-net-1", Map.of("dev.sandbox4j.managed", "true"), T);
        b.removeNetwork("sb4j-net-1", T);

        // then
        assertThat(info.name()).isEqualTo("sb4j-net-1");
        assertThat(info.gateway()).isEqualTo("192.168.65.1");
        assertThat(info.subnet()).isEqualTo("192.168.65.0/24");
        runner.assertDone();
    }

    @Test
    void networkStillReferencedRightAfterItsContainerWentIsDeletedOnceItIsFree() {
        // given: errors/41 (referring containers), then errors/42 (pending operation), then success
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("network", "delete", "sb4j-net-1"), 1, "", Fixture.load("errors/41-busy.txt").payload())
                .expect(argv("network", "delete", "sb4j-net-1"), 1, "", Fixture.load("errors/42-busy.txt").payload())
                .expect(argv("network", "delete", "sb4j-net-1"), "sb4j-net-1\n");

        // when
        backend(runner, "1.2.2").removeNetwork("sb4j-net-1", T);

        // then
        runner.assertDone();
    }

    @Test
    void networkDeleteThatSaysNothingClearAsksWhetherTheNetworkIsStillThere() {
        // given: the reason went to a log the CLI did not show; inspect finds the network gone
        ScriptedRunner runner = new ScriptedRunner()
                .expect(argv("network", "delete", "sb4j-net-1"), 1, "",
                        "Error: delete failed for one or more networks: [\"sb4j-net-1\"]\n")
                .expect(argv("network", "inspect", "sb4j-net-1"), "[]\n");

        // when
        backend(runner, "1.2.2").removeNetwork("sb4j-net-1", T);

        // then
        runner.assertDone();
    }

    @Test
    void normalisationFollowsDockerRules() {
        assertThat(AppleContainerBackend.normalise("alpine")).isEqualTo("docker.io/library/alpine:latest");
        assertThat(AppleContainerBackend.normalise("me/app:1")).isEqualTo("docker.io/me/app:1");
        assertThat(AppleContainerBackend.normalise("localhost/busybox")).isEqualTo("localhost/busybox:latest");
        assertThat(AppleContainerBackend.normalise("ghcr.io/a/b@sha256:00")).isEqualTo("ghcr.io/a/b@sha256:00");
        assertThat(AppleContainerBackend.normalise("localhost:5000/x")).isEqualTo("localhost:5000/x:latest");
    }

    /** Answers every command with one result and remembers the last argv. */
    private static final class CapturingRunner implements dev.sandbox4j.spi.CommandRunner {
        private final int exit;
        private final String stdout;
        private final String stderr;
        List<String> argv;

        CapturingRunner(String stdout) {
            this(0, stdout, "");
        }

        CapturingRunner(int exit, String stdout, String stderr) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public dev.sandbox4j.spi.CommandResult run(Command command) {
            argv = command.argv();
            return new dev.sandbox4j.spi.CommandResult(command.argv(), exit,
                    stdout.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    stderr.getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ZERO, 0);
        }

        @Override
        public dev.sandbox4j.spi.RunningCommand start(Command command) {
            throw new AssertionError("not expected: " + command.argv());
        }
    }
}
