package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime driving a stand-in {@code container} (a real executable, through the real process runner, failing
 * on anything unscripted) that answers in the formats and error texts of 1.2.2 and of the newest release whose
 * formats are known: it starts the service, starts a sandbox through an API-server timeout, execs, copies both
 * ways, reads logs, lists by label past containers it does not own, and removes its own container while that is
 * still stopping, and never sends a command about another container.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the stand-in CLI is a bash script")
class AppleLifecycleDialectsTest {
    private static final String NAME = "sb4j-dialect01";
    private static final Duration T = Duration.ofSeconds(30);

    /**
     * What one release prints.
     *
     * @param banner       {@code container --version}
     * @param statusDown   {@code system status --format json} with the service down (exit 1)
     * @param statusUp     the same, running
     * @param serviceDown  stderr of a command while the service is down
     */
    record Dialect(String release, String banner, String statusDown, String statusUp, String serviceDown) {
        @Override
        public String toString() {
            return release;
        }
    }

    static Stream<Dialect> dialects() {
        return Stream.of(
                // 1.2.2: banner captured (captured/version-strings.txt), flat status captured (micropod), the
                // down status constructed from SystemStatus.swift @ 1.2.2, the service-down text captured (1.0.0
                // wording, unchanged to 1.2.2: Application.swift)
                new Dialect("1.2.2", "container CLI version 1.2.2 (build: release, commit: 0190097)\n",
                        Fixture.load("constructed/system-status-1.2.2-down.json").payload(),
                        Fixture.load("captured/system-status-1.2.2-micropod.json").payload(),
                        Fixture.load("errors/04-service-not-running.txt").payload()),
                // newest known: 1.4.1 banner in ReleaseVersion.singleLine's format, nested status from
                // SystemStatus.swift @ refs/pull/1769 (released in 1.4.1), and the later service-down wording
                // (errors/38, a 1.3.0 test fixture of another project, unverified)
                new Dialect("1.4.1", "container CLI version 1.4.1 (build: release, commit: 7b94575)\n",
                        Fixture.load("constructed/system-status-1.4.1-down.json").payload(),
                        Fixture.load("constructed/system-status-1.4.1-nested.json").payload(),
                        Fixture.load("errors/38-service-not-running.txt").payload()));
    }

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

    /** Our container (from constructed/list-1.2.2-sbx.json) plus two that are not ours, as `list --all` prints them. */
    private static String list(Map<String, String> ours, String state, boolean withOurs) {
        String mine = AppleContainerBackendTest.inspectJson(NAME, ours, state);
        String notOurs = AppleContainerBackendTest.inspectJson("someone-elses", Map.of("team", "agents"), "running");
        String otherSandbox = AppleContainerBackendTest.inspectJson("sb4j-other0000",
                Map.of(Ownership.MANAGED, "true", Ownership.SANDBOX, "sb4j-other0000", Ownership.OWNER, "1-2-3"),
                "stopped");
        String all = (withOurs ? strip(mine) + "," : "") + strip(notOurs) + "," + strip(otherSandbox);
        return "[" + all + "]\n";
    }

    private static String strip(String array) {
        String s = array.strip();
        return s.substring(1, s.length() - 1);
    }

    @ParameterizedTest(name = "container {0}")
    @MethodSource("dialects")
    void sandboxLifecycleWorksAndTouchesOnlyItsOwnContainer(Dialect d) throws Exception {
        // given: the service is down when the backend is created
        fake.expect("--version").stdout(d.banner());
        fake.expect("system", "status", "--format", "json").exit(1).stdout(d.statusDown() + "\n");
        fake.expect("system", "start", "--enable-kernel-install")
                .stderr("Launching container-apiserver...\nTesting access to container-apiserver...\n");
        fake.expect("system", "status", "--format", "json").stdout(d.statusUp() + "\n");
        SandboxSpec spec = Sandbox.builder().image("docker.io/library/alpine:3.20").build();
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.putAll(Ownership.labels(NAME));
        // run: the API server times out on containerCreate, but the container was made and runs: adopted
        List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", NAME, "--progress", "none"));
        labels.forEach((k, v) -> run.addAll(List.of("--label", k + "=" + v)));
        run.addAll(List.of("--entrypoint", "/bin/sh", "docker.io/library/alpine:3.20", "-c",
                AppleContainerArgs.KEEP_ALIVE.get(2)));
        fake.expect(run.toArray(String[]::new)).exit(1)
                .stderr(Fixture.load("errors/34-service-timeout.txt").payload().replace("sbx-1", NAME) + "\n");
        fake.expect("inspect", NAME).stdout(AppleContainerBackendTest.inspectJson(NAME, labels, "running"));
        // exec: workload exit status and streams
        fake.expect("exec", "--env", "glob:SANDBOX4J_EXEC=*", NAME, "sh", "-c", "echo hi; echo oops >&2; exit 3")
                .stdout("hi\n").stderr("oops\n").exit(3);
        // copy in a script (0755): tar through exec, unpacked here by the host's real tar to check what arrives
        Path script = Files.writeString(tmp.resolve("run.sh"), "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        FakeContainerCli.Step tarIn = fake.expect("exec", "--interactive", "--user", "0", NAME, "/bin/sh", "-c",
                        "glob:*tar -x -p -f -*", "sh", "/work/run.sh", "run.sh")
                .captureStdin().run("mkdir -p \"$STEP.d\" && tar -x -p -f \"$STEP.stdin-received\" -C \"$STEP.d\"");
        // copy in a file, but this image has no tar (the script exits 126): `container copy` instead
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "plain\n");
        fake.expect("exec", "--interactive", "--user", "0", NAME, "/bin/sh", "-c", "glob:*command -v*", "sh",
                "/work/plain.txt", "plain.txt").captureStdin().exit(AppleContainerArgs.TOOLS_MISSING);
        fake.expect("copy", plain.toString(), NAME + ":/work/plain.txt").stdout(NAME + ":/work/plain.txt\n");
        // copy out: tar through exec, modes kept
        fake.expect("exec", "--user", "0", NAME, "tar", "-c", "-f", "-", "-C", "/work", "tool")
                .run("mkdir -p \"$STEP.d\" && printf x > \"$STEP.d/tool\" && chmod 751 \"$STEP.d/tool\" "
                        + "&& tar -c -f - -C \"$STEP.d\" tool");
        // logs: the service went down meanwhile, in this release's words; started again, logs read again
        fake.expect("logs", NAME).exit(1).stderr(d.serviceDown() + "\n");
        fake.expect("system", "status", "--format", "json").exit(1).stdout(d.statusDown() + "\n");
        fake.expect("system", "start", "--enable-kernel-install");
        fake.expect("system", "status", "--format", "json").stdout(d.statusUp() + "\n");
        fake.expect("logs", NAME).stdout("started\n");
        RuntimeBackend backend = new AppleContainerProvider().create(HostEnvironment.current(), CommandRunner.system());

        // when
        ContainerInfo started = backend.start(new LaunchRequest(spec, "docker.io/library/alpine:3.20", NAME, labels,
                Optional.empty(), List.of(), List.of()), T);
        ExecResult result = backend.exec(started.id(), Exec.of("sh", "-c", "echo hi; echo oops >&2; exit 3"),
                ExecListener.NONE);
        backend.copyTo(started.id(), script, "/work/run.sh", T);
        backend.copyTo(started.id(), plain, "/work/plain.txt", T);
        backend.copyFrom(started.id(), "/work/tool", tmp.resolve("tool.back"), T);
        String logs = backend.logs(started.id(), T);

        // then
        assertThat(((AppleContainerBackend) backend).version()).isEqualTo(AppleCliVersion.parse(d.release()));
        assertThat(started).isEqualTo(new ContainerInfo(NAME, NAME, Map.of(), labels, true));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("hi\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        Path arrived = tarIn.path("d").resolve("run.sh");
        assertThat(arrived).hasContent("#!/bin/sh\necho ran");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(arrived))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("tool.back"))))
                .isEqualTo("rwxr-x--x");
        assertThat(logs).isEqualTo("started\n");

        // given: listing next to containers that are not ours, then removal while ours is still stopping
        Map<String, String> mine = Map.of(Ownership.SANDBOX, NAME);
        String stopping = Fixture.load("errors/36-stopping.txt").payload().replace("sbx-1", NAME) + "\n";
        fake.expect("list", "--all", "--format", "json").stdout(list(labels, "running", true));
        fake.expect("delete", "--force", NAME).exit(1).stderr(stopping);
        fake.expect("delete", "--force", NAME).exit(1).stderr(stopping);
        fake.expect("delete", "--force", NAME).stdout(NAME + "\n");
        fake.expect("list", "--all", "--format", "json").stdout(list(labels, "stopped", false));

        // when
        List<ContainerInfo> before = backend.list(mine, T);
        backend.remove(NAME, T);
        List<ContainerInfo> managed = backend.list(Map.of(Ownership.MANAGED, "true"), T);

        // then
        assertThat(before).extracting(ContainerInfo::id).containsExactly(NAME);
        assertThat(managed).extracting(ContainerInfo::id).containsExactly("sb4j-other0000");
        fake.assertAllRan();
    }
}
