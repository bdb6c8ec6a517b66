package dev.sandbox4j.egress.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.Sandboxes;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.dns.TestZone;
import dev.sandbox4j.internal.DefaultSandbox;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.testing.TestDnsServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Orphan reaping and detached sandboxes: what a dead owner left is removed, what a live owner holds or a detached
 * sandbox is kept, and the JVM shutdown hook closes policed sandboxes but not detached ones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrphanReapingTest {
    /** An owner id no process can have: pid above the kernel's maximum. */
    private static final String DEAD_OWNER = "99999999-0-deadbeef";

    private TestDnsServer authority;

    @BeforeAll
    void start() throws Exception {
        RuntimeRequirement.require("podman");
        TestImages.busybox();
        authority = TestZone.server();
        authority.add("alpha 60 A 203.0.113.10");
    }

    @AfterAll
    void stop() throws Exception {
        if (authority != null) {
            authority.close();
        }
    }

    /** A container (and, when asked, a network) labelled as Sandbox4j's, owned by {@code owner}. */
    private static String plant(String owner, boolean detached, boolean withNetwork) {
        String name = Ownership.newSandboxName();
        Map<String, String> labels = new LinkedHashMap<>(Ownership.labels(name));
        labels.put(Ownership.OWNER, owner);
        labels.put("reliability-test", "reaping");
        if (detached) {
            labels.put(Ownership.DETACHED, "true");
            labels.put(Ownership.IMAGE, TestImages.busybox());
        }
        if (withNetwork) {
            HostState.podman().createNetwork(name, labels, HostState.CLI);
        }
        HostState.podman().start(new LaunchRequest(Sandbox.builder().image(TestImages.busybox())
                .egress(EgressPolicy.allowAll()).build(), TestImages.busybox(), name, labels,
                withNetwork ? Optional.of(name) : Optional.empty(), List.of(), List.of()), Duration.ofSeconds(60));
        return name;
    }

    @Test
    void reapingRemovesTheContainerAndNetworkOfADeadOwnerButNothingOfALiveOwnerOrADetachedSandbox() {
        String orphan = plant(DEAD_OWNER, false, true);
        String detachedOrphanOwner = plant(DEAD_OWNER, true, false);
        try (Sandbox live = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.denyAll().withUpstream(authority.address())).start()) {
            String liveName = ((DefaultSandbox) live).name();

            ReapReport report = Sandboxes.reapOrphans("podman");

            assertThat(report.containers()).contains(orphan).doesNotContain(liveName, detachedOrphanOwner);
            assertThat(report.networks()).contains(orphan).doesNotContain(liveName);
            assertThat(report.hostState()).doesNotContain(HostState.table(liveName));
            assertThat(HostState.leftovers(orphan)).isEmpty();
            assertThat(HostState.leftovers(liveName)).contains(HostState.policed(liveName));
            assertThat(live.exec("true").exitCode()).isZero();
            assertThat(HostState.leftovers(detachedOrphanOwner)).containsExactly("container " + detachedOrphanOwner);
        } finally {
            Sandbox.attach(detachedOrphanOwner).close();
        }
        assertThat(HostState.leftovers(detachedOrphanOwner)).isEmpty();
    }

    @Test
    void aHostFirewallTableAnOlderVersionLeftForAGoneSandboxIsReaped() {
        org.junit.jupiter.api.Assumptions.assumeTrue(HostState.isRoot(), "only root has host tables");
        // given: a table in the host's own ruleset, named as older versions named them, for a sandbox that is gone
        String name = Ownership.newSandboxName();
        CommandRunner.system().run(Command.builder(List.of("nft", "-f", "-")).stdin(("table inet "
                + HostState.table(name) + " {\n  chain forward {\n    type filter hook forward priority 0; "
                + "policy accept;\n  }\n}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .timeout(HostState.CLI).build()).requireSuccess();
        List<String> before = HostState.leftovers(name);

        // when
        ReapReport report = Sandboxes.reapOrphans("podman");

        // then
        assertThat(before).containsExactly("host table " + HostState.table(name));
        assertThat(report.hostState()).contains(HostState.table(name));
        assertThat(HostState.leftovers(name)).isEmpty();
    }

    @Test
    void aDetachedSandboxIsFoundAgainByIdAndByNameAndClosingTheAttachedHandleRemovesIt() {
        Sandbox original = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).detached(true).label("team", "agents").start();
        String name = ((DefaultSandbox) original).name();
        original.exec("sh", "-c", "echo kept > /tmp/state").requireSuccess();

        Sandbox byId = Sandbox.attach(original.id());
        Sandbox byName = Sandbox.attach(name);

        assertThat(byId.exec("cat", "/tmp/state").stdout()).isEqualTo("kept\n");
        assertThat(byName.id()).isEqualTo(original.id());
        assertThat(byId.spec().detached()).isTrue();
        assertThat(byId.spec().labels()).containsEntry("team", "agents");
        assertThat(byId.spec().image().toString()).contains("busybox");
        byId.close();
        assertThat(HostState.leftovers(name)).isEmpty();
    }

    @Test
    void attachingASandboxThatIsNotDetachedOrDoesNotExistIsRefused() {
        try (Sandbox owned = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).start()) {
            assertThatThrownBy(() -> Sandbox.attach(owned.id())).isInstanceOf(SandboxConfigException.class)
                    .hasMessageContaining("is not detached");
            assertThatThrownBy(() -> Sandbox.attach("sb4j-000000000000")).isInstanceOf(SandboxConfigException.class)
                    .hasMessageContaining("no sandbox");
            assertThat(owned.exec("true").exitCode()).isZero();
        }
    }

    @Test
    void aDetachedSandboxWithAnEgressPolicyIsRefusedBecauseItsInterceptorDiesWithTheJvm() {
        assertThatThrownBy(() -> Sandbox.builder().image(TestImages.busybox()).detached(true).build())
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("allowAll()");
        assertThat(Sandbox.builder().image(TestImages.busybox()).detached(true).egress(EgressPolicy.allowAll())
                .build().detached()).isTrue();
    }

    @Test
    void aJvmThatExitsNormallyClosesItsPolicedSandboxesInItsShutdownHookButNotItsDetachedOnes() throws Exception {
        String policed;
        String detached;
        try (ChildJvm owner = ChildJvm.start("exit", String.valueOf(authority.address().getPort()),
                "alpha.test.sandbox4j.example")) {
            owner.awaitReady(Duration.ofSeconds(120));
            assertThat(owner.awaitExit(Duration.ofSeconds(60))).as(owner.stderr()).isZero();
            policed = owner.fields("SANDBOX").get(0)[0];
            detached = owner.fields("DETACHED").get(0)[0];
        }

        List<String> policedLeft = HostState.leftovers(policed);
        List<String> detachedLeft = HostState.leftovers(detached);
        Sandbox.attach(detached).close();

        assertThat(policedLeft).isEmpty();
        assertThat(detachedLeft).containsExactly("container " + detached);
        assertThat(HostState.leftovers(detached)).isEmpty();
    }

    @Test
    void theFirstStartInAJvmStartsOneReapingPassInTheBackground() throws Exception {
        try (Sandbox s = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).start()) {
            assertThat(dev.sandbox4j.internal.Reaper.startupPass("podman")).isPresent();
            assertThat(dev.sandbox4j.internal.Reaper.startupPass("podman").orElseThrow()
                    .get(60, java.util.concurrent.TimeUnit.SECONDS).failures()).isEmpty();
            assertThat(s.exec("true").exitCode()).isZero();
        }
    }

}
