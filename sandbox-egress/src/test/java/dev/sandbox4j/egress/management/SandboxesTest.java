package dev.sandbox4j.egress.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import dev.sandbox4j.Sandboxes;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The public management API ({@link Sandboxes}, {@link SandboxRuntime}) against real Podman and nftables. */
class SandboxesTest {
    /** Nothing listens here: the deny-all sandboxes below never ask it anything. */
    private static final InetSocketAddress NO_UPSTREAM = new InetSocketAddress("127.0.0.1", 9);
    private static String image;

    @BeforeAll
    static void setUp() {
        RuntimeRequirement.require("podman");
        image = TestImages.busybox();
    }

    private static Sandbox policed(String team) {
        return Sandbox.builder().image(image).runtime("podman").label("team", team)
                .egress(EgressPolicy.denyAll().withUpstream(NO_UPSTREAM)).start();
    }

    private static CommandResult host(String... argv) {
        return CommandRunner.system().run(Command.of(List.of(argv), Duration.ofSeconds(60)));
    }

    private static boolean tableExists(String sandbox) {
        return host("nft", "list", "table", "inet", "sandbox4j_" + sandbox.replaceAll("[^a-z0-9]", "_"))
                .exitCode() == 0;
    }

    @Test
    void listAndFindReportARunningSandboxWithItsNameOwnerAndLabels() {
        String team = "t-" + UUID.randomUUID().toString().substring(0, 8);
        try (Sandbox sandbox = policed(team)) {
            // when
            List<SandboxInfo> all = Sandboxes.list();
            SandboxInfo byPrefix = Sandboxes.find(sandbox.id().substring(0, 12)).orElseThrow();
            SandboxInfo byName = Sandboxes.find(sandbox.name()).orElseThrow();

            // then
            assertThat(all).extracting(SandboxInfo::id).contains(sandbox.id());
            assertThat(byPrefix).isEqualTo(byName);
            assertThat(byName.name()).isEqualTo(sandbox.name()).startsWith("sb4j-");
            assertThat(byName.runtime()).isEqualTo("podman");
            assertThat(byName.ownerAlive()).isTrue();
            assertThat(byName.ownerPid()).contains(ProcessHandle.current().pid());
            assertThat(byName.detached()).isFalse();
            assertThat(byName.running()).isTrue();
            assertThat(byName.labels()).containsEntry("team", team).doesNotContainKey("dev.sandbox4j.owner");
        }
    }

    @Test
    void findOfSomethingThatIsNotThereIsEmpty() {
        assertThat(Sandboxes.find("sb4j-000000000000")).isEmpty();
    }

    @Test
    void removeTakesTheContainerWithTheRulesInItsNamespaceAndTheNetwork() {
        // given: a policed sandbox, whose rules live in its own network namespace, none in the host's ruleset
        try (Sandbox sandbox = policed("removed")) {
            String name = sandbox.name();
            String pid = host("podman", "inspect", "--format", "{{.State.Pid}}", name).stdout().strip();
            assertThat(host("nsenter", "-t", pid, "-n", "nft", "list", "tables").stdout()).contains("sandbox4j_");
            assertThat(tableExists(name)).isFalse();

            // when
            ReapReport report = Sandboxes.remove(sandbox.id());

            // then
            assertThat(report.containers()).containsExactly(name);
            assertThat(report.networks()).isNotEmpty();
            assertThat(report.failures()).isEmpty();
            assertThat(Sandboxes.find(name)).isEmpty();
            assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(host("podman", "network", "ls", "--filter", "label=dev.sandbox4j.sandbox=" + name,
                    "--format", "{{.Name}}").stdout()).isBlank();
        }
    }

    @Test
    void removeOfAnUnknownSandboxIsATypedErrorThatSaysWhatToDo() {
        assertThatThrownBy(() -> Sandboxes.remove("sb4j-000000000000"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("no sandbox with id or name \"sb4j-000000000000\"")
                .hasMessageContaining("Sandboxes.list()");
    }

    @Test
    void orphansListsADeadOwnersContainerWithoutRemovingItAndLeavesLiveOnesOut() {
        // given: a container as a killed JVM leaves it, and a live sandbox of this JVM
        String dead = "sb4j-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        host("podman", "run", "-d", "--pull=never", "--name", dead, "--label", "dev.sandbox4j.managed=true",
                "--label", "dev.sandbox4j.owner=1-0-dead", "--label", "dev.sandbox4j.sandbox=" + dead,
                image, "sleep", "300").requireSuccess();
        try (Sandbox live = Sandbox.builder().image(image).runtime("podman").egress(EgressPolicy.allowAll()).start()) {
            // when
            ReapReport wouldGo = Sandboxes.orphans();

            // then
            assertThat(wouldGo.containers()).contains(dead).doesNotContain(live.name());
            assertThat(Sandboxes.find(dead)).isPresent();
            assertThat(Sandboxes.find(dead).orElseThrow().ownerAlive()).isFalse();
        } finally {
            host("podman", "rm", "-f", "-t", "0", dead);
        }
    }

    @Test
    void anInstanceRuntimeRunsEveryRuntimeCommandThroughItsOwnProcessRunner() {
        // given: a runner that records each argv and hands it to the real one
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        CommandRunner recording = new CommandRunner() {
            @Override
            public CommandResult run(Command command) {
                seen.add(command.argv());
                return CommandRunner.system().run(command);
            }

            @Override
            public RunningCommand start(Command command) {
                seen.add(command.argv());
                return CommandRunner.system().start(command);
            }
        };
        SandboxRuntime runtime = SandboxRuntime.builder().commandRunner(recording).runtime("podman").build();

        // when
        try (Sandbox sandbox = runtime.start(Sandbox.builder().image(image).egress(EgressPolicy.allowAll()).build())) {
            sandbox.exec("true");
            runtime.list();
        }

        // then
        assertThat(seen).anySatisfy(argv -> assertThat(argv).contains("run"));
        assertThat(seen).anySatisfy(argv -> assertThat(argv).contains("ps"));
        assertThat(seen).allSatisfy(argv -> assertThat(argv.get(0)).endsWith("podman"));
        assertThat(SandboxRuntime.shared().commandRunner()).isSameAs(CommandRunner.system());
        assertThat(runtime.commandRunner()).isSameAs(recording);
    }

    @Test
    void anInstanceRuntimeRefusesAnUnknownRuntimeNameWhenBuilt() {
        assertThatThrownBy(() -> SandboxRuntime.builder().runtime("dockr").build())
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("unknown runtime \"dockr\"").hasMessageContaining("podman");
    }
}
