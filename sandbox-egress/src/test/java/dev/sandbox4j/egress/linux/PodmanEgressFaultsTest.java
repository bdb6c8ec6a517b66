package dev.sandbox4j.egress.linux;

import static dev.sandbox4j.egress.linux.EgressTestBed.ALLOWED;
import static dev.sandbox4j.egress.linux.EgressTestBed.DENIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.dns.TestZone;
import dev.sandbox4j.egress.testbed.UdpSpray;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.testing.FakeInternet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Escapes and faults of the in-namespace enforcement, each tried the way an attacker or an unlucky operator would,
 * end to end on real Podman, nftables, DNS and a fake bed.internet(). Every negative probe has a positive control in
 * the same sandbox (or, where the sandbox is cut off on purpose, in an untouched one beside it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanEgressFaultsTest {
    private static final int MANY = 20;

    private EgressTestBed bed;

    @BeforeAll
    void startTestBed() throws IOException {
        bed = EgressTestBed.start();
        for (int i = 0; i < MANY; i++) {
            bed.authority().add("n" + i + ".many 60 A 203.0.113." + (100 + i));
        }
    }

    @AfterAll
    void stopTestBed() throws IOException {
        if (bed != null) {
            bed.close();
        }
    }

    private SandboxSpec spec(EgressPolicy policy) {
        return Sandbox.builder().image(TestImages.busybox()).runtime("podman").egress(policy.withUpstream(
                bed.authority().address())).label("egress-test", "faults").build();
    }

    private static EgressPolicy allowAlpha() {
        return EgressPolicy.denyAll().allow(ALLOWED);
    }

    private static ExecResult sh(Sandbox s, String script) {
        return s.exec("sh", "-c", script);
    }

    private static ExecResult get(Sandbox s, String ip, int port) {
        return sh(s, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " + port);
    }

    /** A UDP datagram to IP:PORT (busybox tftp sends one read request). */
    private static ExecResult udp(Sandbox s, String ip, int port) {
        return sh(s, "tftp -g -r probe " + ip + " " + port + " 2>&1; echo rc=$?");
    }

    private static void resolveAllowed(Sandbox s) {
        assertThat(sh(s, "nslookup " + ALLOWED).stdout()).contains(FakeInternet.ALLOWED_IP);
    }

    // --- escapes under default-allow ---

    @Test
    void aPortLimitedNameDenyUnderDefaultAllowClosesThosePortsOfItsAddresses() {
        try (Sandbox open = spec(EgressPolicy.allowAll().deny(DENIED, 80)).start()) {
            int mark = bed.internet().mark();
            ExecResult lookup = sh(open, "nslookup " + DENIED);

            ExecResult deniedPort = get(open, FakeInternet.DENIED_IP, 80);
            ExecResult otherPort = get(open, FakeInternet.DENIED_IP, 81);
            ExecResult otherHost = get(open, FakeInternet.ALLOWED_IP, 80);

            assertThat(lookup.stdout()).contains(FakeInternet.DENIED_IP);
            assertThat(otherPort.stdout()).contains("hello from " + FakeInternet.DENIED_IP + ":81");
            assertThat(otherHost.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP + ":80");
            assertThat(deniedPort.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
        }
    }

    @Test
    void aPortLimitedCidrDenyStopsUdpAndSoQuicNotOnlyTcp() throws InterruptedException {
        try (Sandbox open = spec(EgressPolicy.allowAll().denyCidr(FakeInternet.CIDR_IP + "/32", 443)).start()) {
            int mark = bed.internet().mark();

            udp(open, FakeInternet.CIDR_IP, 443);
            udp(open, FakeInternet.ALLOWED_IP, 443);
            ExecResult tcpDenied = get(open, FakeInternet.CIDR_IP, 443);
            ExecResult tcpOtherPort = get(open, FakeInternet.CIDR_IP, 80);
            Thread.sleep(300);

            assertThat(bed.internet().seenSince(mark, "udp", FakeInternet.ALLOWED_IP, 443))
                    .as("UDP leaves under allow-all")
                    .isNotEmpty();
            assertThat(tcpOtherPort.stdout()).contains("hello from " + FakeInternet.CIDR_IP + ":80");
            assertThat(bed.internet().seenSince(mark, "udp", FakeInternet.CIDR_IP, 443)).isEmpty();
            assertThat(tcpDenied.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.CIDR_IP, 443)).isEmpty();
        }
    }

    @Test
    void addressClassesTheDnsSideRefusesAreClosedAtThePacketLevelUnderDefaultAllow() {
        // a default-allow policy with a rule is policed; a bare allowAll() is not policed at all, by design
        try (Sandbox open = spec(EgressPolicy.allowAll().deny(DENIED)).start()) {
            int mark = bed.internet().mark();

            ExecResult shared = get(open, FakeInternet.SHARED_IP, 80);
            ExecResult metadata = get(open, FakeInternet.METADATA_IP, 80);
            ExecResult public_ = get(open, FakeInternet.ALLOWED_IP, 80);

            assertThat(public_.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
            assertThat(shared.exitCode()).isNotZero();
            assertThat(metadata.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.SHARED_IP, 80)).isEmpty();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.METADATA_IP, 80)).isEmpty();
        }
    }

    @Test
    void anAllowCidrNamingAForbiddenClassOpensItButNeverTheMetadataEndpoint() {
        EgressPolicy policy = EgressPolicy.denyAll().allowCidr(FakeInternet.SHARED_IP + "/32", 80)
                .allowCidr("169.254.0.0/16", 80);
        try (Sandbox s = spec(policy).start()) {
            int mark = bed.internet().mark();

            ExecResult shared = get(s, FakeInternet.SHARED_IP, 80);
            ExecResult metadata = get(s, FakeInternet.METADATA_IP, 80);

            assertThat(shared.stdout()).contains("hello from " + FakeInternet.SHARED_IP + ":80");
            assertThat(metadata.exitCode()).as("only a single-host rule opens a metadata endpoint").isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.METADATA_IP, 80)).isEmpty();
        }
    }

    // --- rules deleted from outside ---

    @Test
    void deletingTheSandboxTableOnTheHostFindsNothingAndTheSandboxStaysPoliced() {
        Assumptions.assumeTrue(SandboxNetns.isRoot(), "only root can change the host's ruleset");
        try (Sandbox s = spec(allowAlpha()).start()) {
            String table = SandboxNetns.table(s);

            CommandResult delete = SandboxNetns.run(List.of(SandboxNetns.NFT, "delete", "table", "inet", table), null);
            resolveAllowed(s);

            assertThat(delete.exitCode()).as("no such table on the host").isNotZero();
            assertThat(SandboxNetns.nft(s.id(), "list", "tables")).contains("table inet " + table);
            assertThat(get(s, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            assertThat(get(s, FakeInternet.DENIED_IP, 80).exitCode()).isNotZero();
            assertThat(s.egressLog().events()).noneMatch(e -> e instanceof EgressEvent.EnforcementLost);
        }
    }

    @Test
    void aTableDeletedInsideTheNamespaceIsNoticedOnTheNextLogReadAndTheSandboxIsCutOff() {
        try (Sandbox tampered = spec(allowAlpha()).start(); Sandbox untouched = spec(allowAlpha()).start()) {
            resolveAllowed(tampered);
            assertThat(get(tampered, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");

            SandboxNetns.nft(tampered.id(), "delete", "table", "inet", SandboxNetns.table(tampered));
            List<EgressEvent> events = tampered.egressLog().events();

            assertThat(events).anyMatch(e -> e instanceof EgressEvent.EnforcementLost l
                    && l.reason().contains("deleted") && l.action().startsWith("cut off"));
            assertThat(get(tampered, FakeInternet.ALLOWED_IP, 80).exitCode()).as("cut off").isNotZero();
            assertThat(get(tampered, FakeInternet.DENIED_IP, 80).exitCode()).isNotZero();
            resolveAllowed(untouched);
            assertThat(get(untouched, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            assertThat(untouched.egressLog().events()).noneMatch(e -> e instanceof EgressEvent.EnforcementLost);
        }
    }

    @Test
    void aRuleRemovedFromTheNamespacesTableIsNoticedAndTheSandboxIsCutOff() {
        try (Sandbox tampered = spec(EgressPolicy.allowAll().deny(DENIED)).start()) {
            assertThat(get(tampered, FakeInternet.SHARED_IP, 80).exitCode()).isNotZero();
            assertThat(get(tampered, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            String table = SandboxNetns.table(tampered);
            String forbidden = SandboxNetns.nft(tampered.id(), "-a", "list", "chain", "inet", table, "output").lines()
                    .filter(l -> l.contains("100.64.0.0/10")).findFirst().orElseThrow();

            SandboxNetns.nft(tampered.id(), "delete", "rule", "inet", table, "output", "handle",
                    forbidden.replaceAll(".*# handle (\\d+).*", "$1"));
            List<EgressEvent> events = tampered.egressLog().events();

            assertThat(events).anyMatch(e -> e instanceof EgressEvent.EnforcementLost l
                    && l.reason().contains("changed"));
            assertThat(get(tampered, FakeInternet.SHARED_IP, 80).exitCode()).isNotZero();
            assertThat(get(tampered, FakeInternet.ALLOWED_IP, 80).exitCode()).as("cut off").isNotZero();
        }
    }

    @Test
    void aFlushOfTheNamespacesRulesetIsNoticedByThePeriodicCheckWithoutAnyLogRead() throws Exception {
        System.setProperty("sandbox4j.egress.healthCheckMillis", "200");
        try (Sandbox tampered = spec(allowAlpha()).start()) {
            List<EgressEvent> seen = new CopyOnWriteArrayList<>();
            AutoCloseable sub = tampered.egressLog().subscribe(seen::add);
            try {
                resolveAllowed(tampered);
                assertThat(get(tampered, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");

                SandboxNetns.nft(tampered.id(), "flush", "ruleset");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (seen.stream().noneMatch(e -> e instanceof EgressEvent.EnforcementLost)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }

                assertThat(seen).anyMatch(e -> e instanceof EgressEvent.EnforcementLost);
                assertThat(get(tampered, FakeInternet.ALLOWED_IP, 80).exitCode()).as("cut off").isNotZero();
                assertThat(get(tampered, FakeInternet.DENIED_IP, 80).exitCode()).isNotZero();
            } finally {
                sub.close();
            }
        } finally {
            System.clearProperty("sandbox4j.egress.healthCheckMillis");
        }
    }

    // --- the updater ---

    @Test
    void whenTheUpdaterDiesTheRulesStayAndEverythingNotLearnedIsStillDenied() throws Exception {
        try (Sandbox s = spec(allowAlpha().allow("n0.many." + TestZone.ZONE.replaceAll("\\.$", ""))).start()) {
            resolveAllowed(s);
            List<Long> updaters = SandboxNetns.updaters(s.id());
            assertThat(updaters).hasSize(1);

            ProcessHandle.of(updaters.get(0)).ifPresent(ProcessHandle::destroyForcibly);
            Thread.sleep(200);

            assertThat(ProcessHandle.of(updaters.get(0)).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(get(s, FakeInternet.ALLOWED_IP, 80).stdout()).as("learned before: still open")
                    .contains("hello from");
            assertThat(get(s, FakeInternet.DENIED_IP, 80).exitCode()).isNotZero();
            assertThat(get(s, FakeInternet.CIDR_IP, 80).exitCode()).isNotZero();
            assertThat(sh(s, "nslookup n0.many." + TestZone.ZONE).stdout())
                    .as("the next lookup restarts the updater in the same namespace").contains("203.0.113.100");
            assertThat(SandboxNetns.updaters(s.id())).hasSize(1).doesNotContain(updaters.get(0));
        }
    }

    // --- teardown order ---

    @Test
    void whenRemovingTheContainerFailsItsRulesStayAndItHasNoNewEgress() throws Exception {
        Sandbox s = Sandbox.builder().image(TestImages.busybox()).runtime(FailingRemovePodmanProvider.NAME)
                .egress(allowAlpha().withUpstream(bed.authority().address())).label("egress-test", "faults").start();
        String id = s.id();
        String name = SandboxNetns.name(s);
        try {
            resolveAllowed(s);
            assertThat(get(s, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            FailingRemovePodmanProvider.FAIL_REMOVE.set(true);

            assertThatThrownBy(s::close).isInstanceOf(SandboxException.class);

            assertThat(SandboxNetns.run(List.of("podman", "inspect", "--format", "{{.State.Running}}", id), null)
                    .stdout().strip()).as("the workload survived").isEqualTo("true");
            assertThat(SandboxNetns.nft(id, "list", "tables")).contains("table inet sandbox4j_" + name.replace('-', '_'));
            assertThat(podmanExec(id, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + FakeInternet.ALLOWED_IP
                    + " 80").stdout()).as("learned before close: the rules still hold it open").contains("hello from");
            assertThat(podmanExec(id, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + FakeInternet.DENIED_IP
                    + " 80; echo rc=$?").stdout()).contains("rc=1");
            assertThat(podmanExec(id, "nslookup " + ALLOWED + "; echo rc=$?").stdout()).as("no interceptor any more")
                    .doesNotContain(FakeInternet.ALLOWED_IP);
        } finally {
            FailingRemovePodmanProvider.FAIL_REMOVE.set(false);
            SandboxNetns.run(List.of("podman", "rm", "--force", "--time", "0", id), null);
            SandboxNetns.run(List.of("podman", "network", "rm", "--force", name), null);
        }
    }

    private static CommandResult podmanExec(String id, String script) {
        return SandboxNetns.run(List.of("podman", "exec", id, "sh", "-c", script), null);
    }

    // --- one sandbox must not slow another ---

    @Test
    void aSandboxHolding20000LearnedElementsDoesNotSlowAnothersLookups() {
        try (Sandbox heavy = spec(allowAlpha()).start();
             Sandbox other = spec(EgressPolicy.denyAll().allow("*.many." + TestZone.ZONE.replaceAll("\\.$", "")))
                     .start()) {
            for (int batch = 0; batch < 20; batch++) {
                // 1000 elements a transaction: in a rootless namespace nft cannot raise its socket buffer, and
                // one transaction of 20000 elements is refused as too long
                StringBuilder script = new StringBuilder("add element inet " + SandboxNetns.table(heavy) + " a4 { ");
                for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
                    script.append(i % 1000 == 0 ? "" : ", ").append("11.").append(i >> 8 & 0xff).append('.')
                            .append(i & 0xff).append(".1 timeout 600s");
                }
                SandboxNetns.nftScript(heavy.id(), script.append(" }\n").toString());
            }

            List<String> answers = new ArrayList<>();
            for (int i = 0; i < MANY; i++) {
                answers.add(sh(other, "nslookup n" + i + ".many." + TestZone.ZONE).stdout());
            }
            resolveAllowed(heavy);

            assertThat(SandboxNetns.nft(heavy.id(), "list", "set", "inet", SandboxNetns.table(heavy), "a4"))
                    .contains("11.78.31.1");
            for (int i = 0; i < MANY; i++) {
                assertThat(answers.get(i)).contains("203.0.113." + (100 + i));
            }
            assertThat(other.egressLog().events()).filteredOn(e -> e instanceof EgressEvent.DnsDecision d
                    && d.qname().contains(".many.")).isNotEmpty()
                    .allMatch(e -> ((EgressEvent.DnsDecision) e).verdict() == EgressEvent.Verdict.ALLOWED);
        }
    }

    // --- port-53 floods ---

    @Test
    void aPort53FloodIsBoundedInRateAndConnectionTracking() throws Exception {
        try (Sandbox s = spec(allowAlpha()).start()) {
            String java = ProcessHandle.current().info().command().orElse("java");
            CommandResult spray = SandboxNetns.inNetns(s.id(), List.of(java, "-cp", System.getProperty("java.class.path"),
                    UdpSpray.class.getName(), FakeInternet.RESOLVER_IP, "53", "20000"), null);
            long tracked = SandboxNetns.conntrackEntries(s.id());
            String flood = SandboxNetns.nft(s.id(), "list", "counter", "inet", SandboxNetns.table(s),
                    "dropped_dns_flood");
            Thread.sleep(1500);

            assertThat(spray.exitCode()).as(spray.stderr()).isZero();
            resolveAllowed(s);
            assertThat(get(s, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            long dropped = Long.parseLong(flood.replaceAll("(?s).*packets (\\d+).*", "$1"));
            assertThat(dropped).as("the flood was sent and stopped").isGreaterThan(10_000);
            assertThat(tracked).isLessThan(3_000);
        }
    }

    @Test
    void closingLeavesNoTableOnTheHostAndTheNamespaceGoesWithTheContainer() {
        Sandbox s = spec(allowAlpha()).start();
        String key = SandboxNetns.container(s.id()).networkNamespace();
        String table = SandboxNetns.table(s);
        String inside = SandboxNetns.nft(s.id(), "list", "tables");

        s.close();

        assertThat(inside).contains("table inet " + table);
        assertThat(Files.exists(Path.of(key))).as("namespace file %s", key).isFalse();
        if (SandboxNetns.isRoot()) {
            assertThat(SandboxNetns.run(List.of(SandboxNetns.NFT, "list", "tables"), null).stdout())
                    .doesNotContain(table);
        }
    }
}
