package dev.sandbox4j.egress.reliability;

import static dev.sandbox4j.egress.linux.EgressTestBed.ALLOWED;
import static dev.sandbox4j.egress.linux.EgressTestBed.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.egress.linux.EgressTestBed;
import dev.sandbox4j.testing.FakeInternet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A JVM that owns three policed sandboxes is killed with SIGKILL (no shutdown hook, no finally). Its sandboxes
 * must stay fail-closed until reaped, and the next JVM's first start must remove every container, firewall table,
 * network and network namespace it left. The tests run in order: the fail-closed probes need the leftovers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashSafetyTest {
    private static final String NEVER_ASKED = DENIED;

    private EgressTestBed bed;
    private final List<String> names = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> netns = new ArrayList<>();

    @BeforeAll
    void startAndKillAnOwnerJvm() throws Exception {
        bed = EgressTestBed.start();
        try (ChildJvm owner = ChildJvm.start("crash", String.valueOf(bed.authority().address().getPort()), ALLOWED,
                FakeInternet.ALLOWED_IP, "3")) {
            owner.awaitReady(Duration.ofSeconds(120));
            for (String[] f : owner.fields("SANDBOX")) {
                names.add(f[0]);
                ids.add(f[1]);
            }
            assertThat(names).as("sandboxes started by the owner JVM; stderr:\n%s", owner.stderr()).hasSize(3);
            owner.kill9();
        }
        for (String id : ids) {
            netns.add(HostState.netns(id));
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (!names.isEmpty()) {
            dev.sandbox4j.Sandboxes.reapOrphans("podman");
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void sandboxesOfAKilledJvmResolveNothingAndReachNoAddressTheyHadNotLearned() {
        int mark = bed.internet().mark();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            assertThat(netns.get(i)).as("rootful /run/netns/..., rootless $XDG_RUNTIME_DIR/netns/...")
                    .contains("/netns/");
            assertThat(HostState.leftovers(names.get(i))).as("the killed JVM left its sandbox")
                    .contains("container " + names.get(i), "table " + HostState.table(names.get(i)));

            ExecResult lookup = HostState.exec(id, "timeout 5 nslookup " + ALLOWED + "; echo rc=$?");
            ExecResult newName = HostState.exec(id, "timeout 5 nslookup " + NEVER_ASKED + "; echo rc=$?");
            ExecResult unlearned = HostState.get(id, FakeInternet.DENIED_IP);
            ExecResult learned = HostState.get(id, FakeInternet.ALLOWED_IP);

            assertThat(lookup.stdout()).as("DNS died with the interceptor").doesNotContain(FakeInternet.ALLOWED_IP)
                    .doesNotContain("rc=0");
            assertThat(newName.stdout()).doesNotContain(FakeInternet.DENIED_IP).doesNotContain("rc=0");
            assertThat(unlearned.exitCode()).isNotZero();
            assertThat(learned.stdout()).as("an address learned before the crash stays usable until its TTL "
                    + "plus grace runs out: the documented window, and the positive control here")
                    .contains("hello from " + FakeInternet.ALLOWED_IP);
        }
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 80)).hasSize(ids.size());
        assertThat(bed.authority().queriedNames()).doesNotContain(NEVER_ASKED + ".");
    }

    @Test
    @Order(2)
    void theFirstStartInANewJvmRemovesEveryContainerTableNetworkAndNamespaceTheKilledJvmLeft() throws Exception {
        List<String> reaped;
        try (ChildJvm next = ChildJvm.start("reap")) {
            next.awaitReady(Duration.ofSeconds(120));
            assertThat(next.awaitExit(Duration.ofSeconds(30))).as(next.stderr()).isZero();
            reaped = next.fields("REAPED").stream().map(f -> f[0]).toList();
            assertThat(next.fields("FAILED")).isEmpty();
        }

        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            assertThat(reaped).as("the table went with the container's namespace: nothing to reap").contains(name)
                    .doesNotContain(HostState.table(name));
            assertThat(HostState.leftovers(name)).isEmpty();
            assertThat(Files.exists(Path.of(netns.get(i)))).as("netns %s", netns.get(i)).isFalse();
        }
    }
}
