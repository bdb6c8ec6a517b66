package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.CommandFailedException;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.RuntimeBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole provider lifecycle against a real executable standing in for Apple's {@code container}, reached
 * the way users configure it ({@code -Dsandbox4j.container.cli}, {@code -Dsandbox4j.container.hostChecks=false})
 * and driven through the real {@link CommandRunner}. The stand-in answers in the documented 1.2.2 formats and
 * fails on any command that is not in its script.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the stand-in CLI is a bash script")
class AppleLifecycleTest {
    private static final String IMAGE = "docker.io/library/alpine:latest";
    private static final String NAME = "sb4j-lifecycle01";
    private static final Duration T = Duration.ofSeconds(30);
    private static final String VERSION = "container CLI version 1.2.2 (build: release, commit: 0190097)\n";

    @TempDir
    Path tmp;
    private FakeContainerCli fake;

    @BeforeEach
    void installStandIn() {
        fake = FakeContainerCli.installAsProvider(tmp);
    }

    @AfterEach
    void clearProvider() {
        FakeContainerCli.clearProvider();
    }

    /** A 1.x {@code list --format json} line, as JSONEncoder prints it (sorted keys, escaped slashes). */
    private static String listJson(String state, Map<String, String> labels, int hostPort) {
        StringBuilder l = new StringBuilder();
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> l.append(l.length() == 0 ? "" : ",")
                .append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"'));
        String networks = state.equals("running")
                ? "[{\"hostname\":\"" + NAME + "\",\"ipv4Address\":\"192.168.64.7\\/24\",\"ipv4Gateway\":\"192.168.64.1\","
                        + "\"macAddress\":\"f6:1a:2b:3c:4d:5e\",\"mtu\":1280,\"network\":\"default\",\"variant\":\"reserved\"}]"
                : "[]";
        String ours = "{\"configuration\":{\"capAdd\":[],\"capDrop\":[],\"creationDate\":\"2026-08-20T10:00:00Z\","
                + "\"id\":\"" + NAME + "\",\"image\":{\"descriptor\":{\"digest\":\"sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b\","
                + "\"mediaType\":\"application\\/vnd.oci.image.index.v1+json\",\"size\":9218},\"reference\":\"docker.io\\/library\\/alpine:latest\"},"
                + "\"labels\":{" + l + "},\"mounts\":[],\"publishedPorts\":[{\"containerPort\":8080,\"count\":1,"
                + "\"hostAddress\":\"127.0.0.1\",\"hostPort\":" + hostPort + ",\"proto\":\"tcp\"}],"
                + "\"resources\":{\"cpuOverhead\":1,\"cpus\":1,\"memoryInBytes\":268435456}},\"id\":\"" + NAME + "\","
                + "\"status\":{\"networks\":" + networks + ",\"startedDate\":\"2026-08-20T10:00:01Z\",\"state\":\"" + state + "\"}}";
        String other = "{\"configuration\":{\"id\":\"unrelated\",\"labels\":{\"team\":\"agents\"},\"publishedPorts\":[]},"
                + "\"id\":\"unrelated\",\"status\":{\"networks\":[],\"state\":\"stopped\"}}";
        return "[" + (state.equals("gone") ? other : ours + "," + other) + "]\n";
    }

    @Test
    void wholeLifecycleRunsThroughTheRealProcessBoundary() throws Exception {
        // given: service down at first, so the provider must start it
        fake.expect("--version").stdout(VERSION);
        fake.expect("system", "status", "--format", "json").exit(1)
                .stdout(Fixture.load("constructed/system-status-1.2.2-down.json").payload() + "\n");
        fake.expect("system", "start", "--enable-kernel-install")
                .stderr("Launching container-apiserver...\nTesting access to container-apiserver...\n");
        fake.expect("system", "status", "--format", "json")
                .stdout(Fixture.load("captured/system-status-1.2.2-micropod.json").payload() + "\n");
        fake.expect("image", "list", "--format", "json")
                .stdout(Fixture.load("constructed/image-list-1.2.0-vscode.json").payload() + "\n");
        SandboxSpec spec = Sandbox.builder().image(IMAGE).env("FOO", "bar").cpus(1).memory("256m")
                .label("team", "agents").publish(8080).build();
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.putAll(Ownership.labels(NAME));
        List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", NAME, "--progress", "none"));
        labels.forEach((k, v) -> run.addAll(List.of("--label", k + "=" + v)));
        run.addAll(List.of("--cpus", "1", "--memory", "256M", "--env", "FOO=bar", "--publish",
                "glob:127.0.0.1:[0-9]*:8080/tcp", "--entrypoint", "/bin/sh", IMAGE, "-c",
                AppleContainerArgs.KEEP_ALIVE.get(2)));
        fake.expect(run.toArray(String[]::new)).stdout(NAME + "\n");
        fake.expect("exec", "--env", "glob:SANDBOX4J_EXEC=*-*", NAME, "sh", "-c", "echo hi; echo oops >&2; exit 3")
                .stdout("hi\n").stderr("oops\n").exit(3);
        FakeContainerCli.Step echo = fake.expect("exec", "--interactive", "--env", "glob:SANDBOX4J_EXEC=*", NAME, "cat")
                .captureStdin().run("cat \"$STEP.stdin-received\"");
        Path input = Files.writeString(tmp.resolve("input.txt"), "input for the sandbox\n");
        // copy in: a tar stream through exec, unpacked here by the host's real tar
        FakeContainerCli.Step copyIn = fake.expect("exec", "--interactive", "--user", "0", NAME, "/bin/sh", "-c",
                        "glob:*tar -x -p -f -*", "sh", "/work/input.txt", "input.txt")
                .captureStdin().run("mkdir -p \"$STEP.d\" && tar -x -f \"$STEP.stdin-received\" -C \"$STEP.d\" "
                        + "&& cp \"$STEP.d/input.txt\" \"$STEP.copied\"");
        Path output = tmp.resolve("out.txt");
        // copy out: a tar stream through exec (keeps modes); the step makes it with the host's tar
        fake.expect("exec", "--user", "0", NAME, "tar", "-c", "-f", "-", "-C", "/work", "out.txt")
                .run("mkdir -p \"$STEP.d\" && printf 'result\\n' > \"$STEP.d/out.txt\" && tar -c -f - -C \"$STEP.d\" out.txt");
        fake.expect("logs", NAME).stdout("started\nhi\noops\n");
        AppleContainerProvider provider = new AppleContainerProvider();
        HostEnvironment host = HostEnvironment.current();

        // when: create, start, exec, copy, logs
        boolean detected = provider.detect(host);
        RuntimeBackend backend = provider.create(host, CommandRunner.system());
        backend.validate(spec);
        String image = backend.prepareImage(spec, T);
        ContainerInfo started = backend.start(new LaunchRequest(spec, image, NAME, labels, Optional.empty(), List.of(),
                List.of()), T);
        ExecResult result = backend.exec(started.id(), Exec.of("sh", "-c", "echo hi; echo oops >&2; exit 3"),
                ExecListener.NONE);
        ExecResult echoed = backend.exec(started.id(), Exec.builder("cat")
                .stdin("piped in\n".getBytes(StandardCharsets.UTF_8)).build(), ExecListener.NONE);
        backend.copyTo(started.id(), input, "/work/input.txt", T);
        backend.copyFrom(started.id(), "/work/out.txt", output, T);
        String logs = backend.logs(started.id(), T);

        // then
        assertThat(detected).isTrue();
        assertThat(backend).isInstanceOf(AppleContainerBackend.class);
        assertThat(((AppleContainerBackend) backend).version()).isEqualTo(new AppleCliVersion(1, 2, 2));
        int hostPort = started.hostPorts().get(8080);
        assertThat(started).isEqualTo(new ContainerInfo(NAME, NAME, Map.of(8080, hostPort), labels, true));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("hi\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(echo.receivedStdin()).isEqualTo("piped in\n");
        assertThat(echoed.stdout()).isEqualTo("piped in\n");
        assertThat(copyIn.path("copied")).hasContent("input for the sandbox");
        assertThat(output).hasContent("result");
        assertThat(logs).isEqualTo("started\nhi\noops\n");

        // given: the rest of the script, now that the chosen host port is known
        Map<String, String> mine = Map.of(Ownership.SANDBOX, NAME);
        fake.expect("list", "--all", "--format", "json").stdout(listJson("running", labels, hostPort));
        fake.expect("stop", "--time", "5", NAME).stdout(NAME + "\n");
        fake.expect("list", "--all", "--format", "json").stdout(listJson("stopped", labels, hostPort));
        fake.expect("delete", "--force", NAME).stdout(NAME + "\n");
        fake.expect("delete", "--force", NAME).exit(1)
                .stderr("Error: internalError: \"failed to delete container\" (cause: \"notFound: \"container with ID "
                        + NAME + " not found\"\")\n");
        fake.expect("list", "--all", "--format", "json").stdout(listJson("gone", labels, hostPort));

        // when: list by label, stop, delete (twice: idempotent)
        List<ContainerInfo> whileRunning = backend.list(mine, T);
        ((AppleContainerBackend) backend).stop(NAME, Duration.ofSeconds(5), T);
        List<ContainerInfo> afterStop = backend.list(mine, T);
        backend.remove(NAME, T);
        backend.remove(NAME, T);
        List<ContainerInfo> afterDelete = backend.list(mine, T);

        // then
        assertThat(whileRunning).containsExactly(new ContainerInfo(NAME, NAME, Map.of(8080, hostPort), labels, true));
        assertThat(afterStop).extracting(ContainerInfo::running).containsExactly(false);
        assertThat(afterDelete).isEmpty();
        fake.assertAllRan();
    }

    @Test
    void standInFailsOnAnyUnscriptedCommand() {
        // given
        fake.expect("--version").stdout(VERSION);
        fake.expect("system", "status", "--format", "json")
                .stdout(Fixture.load("captured/system-status-1.2.2-micropod.json").payload() + "\n");
        fake.expect("logs", NAME).stdout("x\n");
        RuntimeBackend backend = new AppleContainerProvider().create(HostEnvironment.current(), CommandRunner.system());

        // when / then
        assertThatThrownBy(() -> backend.logs("some-other-container", T))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("expected '" + NAME + "', got 'some-other-container'");
        assertThat(fake.failures()).contains("step 2 argument 1");
    }

    @Test
    void withHostChecksOnTheProviderRefusesLinuxAndSaysHowToUseAStandIn() {
        // given
        System.setProperty(AppleContainerProvider.HOST_CHECKS_PROPERTY, "true");
        HostEnvironment linux = HostEnvironment.of(HostEnvironment.Os.LINUX, "x86_64", "6.1", 2, 4L << 30,
                java.util.OptionalInt.empty(), Map.of());

        // when
        boolean detected = new AppleContainerProvider().detect(linux);

        // then
        assertThat(detected).isFalse();
        assertThat(new AppleContainerProvider().unavailableReason(linux)).contains("macOS only")
                .contains("-Dsandbox4j.container.cli=PATH").contains("-Dsandbox4j.container.hostChecks=false");
    }
}
