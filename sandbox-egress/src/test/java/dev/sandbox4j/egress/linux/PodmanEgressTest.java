package dev.sandbox4j.egress.linux;

import static dev.sandbox4j.egress.linux.EgressTestBed.ALLOWED;
import static dev.sandbox4j.egress.linux.EgressTestBed.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.testing.FakeInternet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Egress control end to end: real Podman, real nftables, real DNS, and a fake internet in its own network
 * namespace (TEST-NET addresses only). Every negative probe is paired with a positive control in the same
 * sandbox, so no test can pass because the network is simply broken.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanEgressTest {
    private static final String REBIND = "rebind.test.sandbox4j.example";

    private EgressTestBed bed;
    private Sandbox sandbox;

    @BeforeAll
    void startTestBed() throws IOException {
        bed = EgressTestBed.start();
        bed.authority().add("rebind 60 A 10.1.2.3");
        sandbox = spec(policy()).start();
    }

    private EgressPolicy policy() {
        return EgressPolicy.denyAll()
                .allow(ALLOWED)
                .allow(REBIND)
                .allowCidr(FakeInternet.CIDR_IP + "/32", 80)
                .withUpstream(bed.authority().address());
    }

    private SandboxSpec spec(EgressPolicy policy) {
        return Sandbox.builder().image(TestImages.busybox()).runtime("podman").egress(policy)
                .label("egress-test", "true").build();
    }

    @AfterAll
    void stopTestBed() throws IOException {
        if (sandbox != null) {
            sandbox.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private ExecResult sh(Sandbox s, String script) {
        return s.exec("sh", "-c", script);
    }

    /** An HTTP GET with busybox nc; returns the response (empty when the connection failed). */
    private ExecResult get(Sandbox s, String ip, int port) {
        return sh(s, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " + port);
    }

    private void resolveAllowed(Sandbox s) {
        assertThat(sh(s, "nslookup " + ALLOWED).stdout()).contains(FakeInternet.ALLOWED_IP);
    }

    @Test
    void allowedNameResolvesAndConnectsWhileADeniedNameIsNxdomainAndNeverReachesUpstream() {
        ExecResult allowed = sh(sandbox, "nslookup " + ALLOWED);
        ExecResult denied = sh(sandbox, "nslookup " + DENIED);

        assertThat(allowed.stdout()).contains(FakeInternet.ALLOWED_IP);
        assertThat(get(sandbox, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
        assertThat(bed.authority().queriedNames()).contains(ALLOWED + ".").doesNotContain(DENIED + ".");
    }

    @Test
    void aRawAddressThatWasNeverLearnedIsRefusedAtOnce() {
        int mark = bed.internet().mark();
        resolveAllowed(sandbox);

        long t0 = System.nanoTime();
        ExecResult denied = get(sandbox, FakeInternet.DENIED_IP, 80);
        long deniedMillis = (System.nanoTime() - t0) / 1_000_000;
        ExecResult allowed = get(sandbox, FakeInternet.ALLOWED_IP, 80);

        assertThat(allowed.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stderr()).contains("refused");
        assertThat(deniedMillis).as("a reset, not a timeout").isLessThan(2500);
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
    }

    @Test
    void dnsSentToAnyOtherServerIsInterceptedNotForwarded() {
        int mark = bed.internet().mark();
        ExecResult allowed = sh(sandbox, "nslookup " + ALLOWED + " " + FakeInternet.RESOLVER_IP);
        ExecResult denied = sh(sandbox, "nslookup " + DENIED + " " + FakeInternet.RESOLVER_IP);
        ExecResult overTcp = sh(sandbox, "printf 'x' | nc -w 3 " + FakeInternet.RESOLVER_IP + " 53; echo rc=$?");

        assertThat(allowed.stdout()).as("answered by the interceptor: the fake resolver answers nothing")
                .contains(FakeInternet.ALLOWED_IP);
        assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
        assertThat(overTcp.stdout()).contains("rc=");
        assertThat(bed.internet().seenSince(mark, "udp", FakeInternet.RESOLVER_IP, 53)).isEmpty();
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.RESOLVER_IP, 53)).isEmpty();
    }

    @Test
    void udpAndDnsOverTlsAreBlockedEvenToAnAllowedAddress() throws InterruptedException {
        int mark = bed.internet().mark();
        resolveAllowed(sandbox);

        ExecResult quic = sh(sandbox, "tftp -g -r probe " + FakeInternet.ALLOWED_IP + " 443; echo rc=$?");
        ExecResult dot = get(sandbox, FakeInternet.ALLOWED_IP, 853);
        ExecResult https = get(sandbox, FakeInternet.ALLOWED_IP, 443);
        Thread.sleep(200);

        assertThat(https.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP + ":443");
        assertThat(dot.exitCode()).isNotZero();
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 853)).isEmpty();
        assertThat(quic.stdout()).contains("rc=1");
        assertThat(bed.internet().seenSince(mark, "udp", FakeInternet.ALLOWED_IP, 443)).isEmpty();
    }

    @Test
    void theHostItselfAndTheGatewayAreUnreachableExceptForDns() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("0.0.0.0", 0));
            Thread t = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    accepted.incrementAndGet();
                    s.shutdownOutput();
                } catch (IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
            String gateway = sh(sandbox, "ip route | awk '/default/ {print $3}'").stdout().strip();
            int port = listener.getLocalPort();

            ExecResult viaGateway = sh(sandbox, "echo x | nc -w 3 " + gateway + " " + port + "; echo rc=$?");
            ExecResult viaUplinkSide = sh(sandbox, "echo x | nc -w 3 198.51.100.1 " + port + "; echo rc=$?");
            ExecResult dns = sh(sandbox, "nslookup " + ALLOWED + " " + gateway);

            assertThat(gateway).startsWith("10.");
            assertThat(dns.stdout()).contains(FakeInternet.ALLOWED_IP);
            assertThat(viaGateway.stdout()).contains("rc=1");
            assertThat(viaUplinkSide.stdout()).contains("rc=1");
            assertThat(accepted).hasValue(0);
        }
    }

    @Test
    void metadataAddressesAndIcmpAreBlocked() {
        int mark = bed.internet().mark();
        resolveAllowed(sandbox);

        ExecResult metadata = get(sandbox, FakeInternet.METADATA_IP, 80);
        dev.sandbox4j.spi.CommandResult metadataFromHost = CommandRunner.system().run(Command.of(List.of("curl", "-s", "--max-time", "5",
                "http://" + FakeInternet.METADATA_IP + "/"), Duration.ofSeconds(10)));
        ExecResult ping = sh(sandbox, "ping -c 1 -W 2 " + FakeInternet.ALLOWED_IP);
        ExecResult http = get(sandbox, FakeInternet.ALLOWED_IP, 80);

        assertThat(http.stdout()).contains("hello from");
        assertThat(metadata.exitCode()).isNotZero();
        assertThat(metadata.stderr()).contains("refused");
        assertThat(metadataFromHost.stdout()).as("the stand-in answers the host").contains("hello from");
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.METADATA_IP, 80)).as("nothing from the sandbox")
                .hasSize(1);
        assertThat(ping.exitCode()).isNotZero();
    }

    @Test
    void theWorkloadHasNeitherNetAdminNorNetRaw() {
        String capEff = sh(sandbox, "awk '/CapEff/ {print $2}' /proc/self/status").stdout().strip();
        ExecResult flush = sh(sandbox, "ip route del default");

        long caps = Long.parseUnsignedLong(capEff, 16);
        assertThat(caps & (1L << 12)).as("CAP_NET_ADMIN").isZero();
        assertThat(caps & (1L << 13)).as("CAP_NET_RAW").isZero();
        assertThat(flush.exitCode()).isNotZero();
        resolveAllowed(sandbox);
        assertThat(get(sandbox, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
    }

    @Test
    void aCidrRuleAllowsItsAddressesWithoutDnsButOnlyOnItsPorts() {
        int mark = bed.internet().mark();
        ExecResult allowedPort = get(sandbox, FakeInternet.CIDR_IP, 80);
        ExecResult otherPort = get(sandbox, FakeInternet.CIDR_IP, 81);

        assertThat(allowedPort.stdout()).contains("hello from " + FakeInternet.CIDR_IP + ":80");
        assertThat(otherPort.exitCode()).isNotZero();
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.CIDR_IP, 81)).isEmpty();
    }

    @Test
    void anAllowedNameThatPointsAtAPrivateAddressIsRefused() {
        ExecResult rebind = sh(sandbox, "nslookup " + REBIND);

        assertThat(rebind.stdout()).doesNotContain("10.1.2.3");
        assertThat(rebind.exitCode()).isNotZero();
        resolveAllowed(sandbox);
    }

    @Test
    void everyDecisionIsAuditedAndDroppedConnectionsAreCounted() {
        resolveAllowed(sandbox);
        sh(sandbox, "nslookup " + DENIED);
        get(sandbox, FakeInternet.DENIED_IP, 80);

        List<EgressEvent> events = sandbox.egressLog().events();

        assertThat(events).filteredOn(e -> e instanceof EgressEvent.DnsDecision d
                        && d.qname().startsWith(ALLOWED) && d.verdict() == EgressEvent.Verdict.ALLOWED).isNotEmpty();
        assertThat(events).filteredOn(e -> e instanceof EgressEvent.DnsDecision d
                        && d.qname().startsWith(DENIED) && d.verdict() == EgressEvent.Verdict.DENIED).isNotEmpty();
        assertThat(events).filteredOn(e -> e instanceof EgressEvent.DroppedConnections d && d.packets() > 0)
                .isNotEmpty();
    }

    @Test
    void twoSandboxesWithDifferentPoliciesNeverSeeEachOthersAllowances() {
        EgressPolicy betaOnly = EgressPolicy.denyAll().allow(DENIED).withUpstream(bed.authority().address());
        try (Sandbox other = spec(betaOnly).start()) {
            resolveAllowed(sandbox);
            assertThat(sh(other, "nslookup " + DENIED).stdout()).contains(FakeInternet.DENIED_IP);
            sh(other, "mkdir -p /srv && echo other > /srv/index.html && httpd -p 8080 -h /srv").requireSuccess();
            String otherIp = sh(other, "ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1").stdout().strip();

            assertThat(get(sandbox, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            assertThat(get(other, FakeInternet.DENIED_IP, 80).stdout()).contains("hello from");
            assertThat(get(sandbox, FakeInternet.DENIED_IP, 80).exitCode()).isNotZero();
            assertThat(get(other, FakeInternet.ALLOWED_IP, 80).exitCode()).isNotZero();
            assertThat(sh(other, "nslookup " + ALLOWED).stdout()).doesNotContain(FakeInternet.ALLOWED_IP);
            assertThat(get(other, "127.0.0.1", 8080).stdout()).as("the server itself runs").contains("other");
            assertThat(get(sandbox, otherIp, 8080).exitCode()).as("sandbox to sandbox").isNotZero();
        }
    }

    @Test
    void publishedPortsStillWorkUnderADenyAllPolicy() throws Exception {
        SandboxSpec published = spec(EgressPolicy.denyAll().withUpstream(bed.authority().address())).toBuilder()
                .publish(8080).build();
        try (Sandbox web = published.start()) {
            sh(web, "mkdir -p /srv && echo published > /srv/index.html && httpd -p 8080 -h /srv").requireSuccess();

            String body = new String(CommandRunner.system().run(Command.of(List.of("curl", "-s", "--max-time", "5",
                    "http://127.0.0.1:" + web.hostPort(8080) + "/"), Duration.ofSeconds(10))).stdoutBytes());

            assertThat(body).isEqualTo("published\n");
            assertThat(get(web, FakeInternet.ALLOWED_IP, 80).exitCode()).isNotZero();
        }
    }

    @Test
    void everyPolicedStartRanTheSelfTestFromInside() {
        assertThat(sandbox.egressLog().events()).anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                && d.qname().startsWith("sb4j-selftest-") && d.verdict() == EgressEvent.Verdict.DENIED);
        assertThat(sandbox.egressLog().events()).anyMatch(e -> e instanceof EgressEvent.DroppedConnections d
                && d.packets() > 0);
    }

    @Test
    void aDefaultAllowPolicyDeniesNamesThroughDnsAndStillShieldsTheHostAndMetadata() {
        EgressPolicy denyOne = EgressPolicy.allowAll().deny(DENIED).withUpstream(bed.authority().address());
        try (Sandbox open = spec(denyOne).start()) {
            ExecResult denied = sh(open, "nslookup " + DENIED);
            ExecResult allowed = sh(open, "nslookup " + ALLOWED);

            assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
            assertThat(allowed.stdout()).contains(FakeInternet.ALLOWED_IP);
            assertThat(get(open, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            assertThat(get(open, FakeInternet.DENIED_IP, 80).stdout())
                    .as("name rules of a default-allow policy act through DNS only").contains("hello from");
            assertThat(get(open, FakeInternet.METADATA_IP, 80).exitCode()).isNotZero();
        }
    }

    @Test
    void anAuditFileReceivesEveryDecisionAsJsonLines(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        java.nio.file.Path file = dir.resolve("audit.jsonl");
        System.setProperty("sandbox4j.egress.auditFile", file.toString());
        try (Sandbox audited = spec(policy()).start()) {
            sh(audited, "nslookup " + ALLOWED);
            sh(audited, "nslookup " + DENIED);
        } finally {
            System.clearProperty("sandbox4j.egress.auditFile");
        }

        List<String> lines = java.nio.file.Files.readAllLines(file);

        assertThat(lines).anyMatch(l -> l.contains(ALLOWED) && l.contains("\"ALLOWED\""));
        assertThat(lines).anyMatch(l -> l.contains(DENIED) && l.contains("\"DENIED\""));
        assertThat(lines).allMatch(l -> l.startsWith("{") && l.endsWith("}"));
    }
}
