package dev.sandbox4j.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.testing.FakeInternet;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.xbill.DNS.Rcode;

/**
 * What an upstream answer may open, and what the audit shows of a query flood, end to end: real Podman, real
 * nftables, the DNS interceptor, an authoritative server on loopback that plays the attacker's allowed zone, and
 * the fake internet (TEST-NET servers in their own network namespace that record every connection). Each test
 * starts its own sandbox, so what one test opens can never make another pass or fail, and pairs every refused
 * connection with one that works in the same sandbox.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanDnsAnswerEgressTest {
    private static final String ZONE = "test.sandbox4j.example";

    private EgressTestBed bed;

    private static String host(String label) {
        return label + "." + ZONE;
    }

    @BeforeAll
    void startTestBed() throws IOException {
        bed = EgressTestBed.start();
        TestDnsServer authority = bed.authority();
        authority.add("web 60 A " + FakeInternet.ALLOWED_IP);
        authority.add("cname-alias 60 CNAME cname-target");
        authority.add("cname-target 60 A " + FakeInternet.DENIED_IP);
        authority.add("except-alias 60 CNAME except-target");
        authority.add("except-target 60 A " + FakeInternet.CIDR_IP);
        authority.add("negative 60 A " + FakeInternet.DENIED_IP);
        authority.rcodeWithRecords("negative", Rcode.NXDOMAIN);
    }

    @AfterAll
    void stopTestBed() throws IOException {
        if (bed != null) {
            bed.close();
        }
    }

    private Sandbox start(EgressPolicy policy) {
        return Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(policy.withUpstream(bed.authority().address())).label("egress-test", "true").start();
    }

    private static ExecResult sh(Sandbox s, String script) {
        return s.exec("sh", "-c", script);
    }

    /** An HTTP GET with busybox nc; the response, or empty output and a non-zero exit when refused. */
    private static ExecResult get(Sandbox s, String ip, int port) {
        return sh(s, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " + port);
    }

    private static List<EgressEvent.DnsDecision> decisions(Sandbox s, String qname) {
        List<EgressEvent.DnsDecision> out = new ArrayList<>();
        for (EgressEvent e : s.egressLog().events()) {
            if (e instanceof EgressEvent.DnsDecision d && d.qname().equals(qname + ".") && d.qtype().equals("A")) {
                out.add(d);
            }
        }
        return out;
    }

    @Test
    void anAliasCarriesItsCnameTargetsPortLimitedAllowToTheAddressesItUnlocks() {
        // given: the alias is allowed on every port, the name it points at only on port 80
        EgressPolicy policy = EgressPolicy.denyAll().allow(host("cname-alias")).allow(host("cname-target"), 80);
        try (Sandbox sandbox = start(policy)) {
            int mark = bed.internet().mark();

            // when
            ExecResult lookup = sh(sandbox, "nslookup " + host("cname-alias"));
            ExecResult allowedPort = get(sandbox, FakeInternet.DENIED_IP, 80);
            ExecResult otherPort = get(sandbox, FakeInternet.DENIED_IP, 81);

            // then
            assertThat(lookup.stdout()).contains(FakeInternet.DENIED_IP);
            assertThat(allowedPort.stdout()).as("positive control").contains("hello from " + FakeInternet.DENIED_IP
                    + ":80");
            assertThat(otherPort.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 81)).isEmpty();
        }
    }

    @Test
    void anAliasCarriesItsCnameTargetsPortLimitedDenyToTheAddressesItUnlocks() {
        // given: the alias is allowed on every port; the name it points at is allowed except on port 81
        EgressPolicy policy = EgressPolicy.denyAll().allow(host("except-alias")).deny(host("except-target"), 81)
                .allow(host("except-target"));
        try (Sandbox sandbox = start(policy)) {
            int mark = bed.internet().mark();

            ExecResult lookup = sh(sandbox, "nslookup " + host("except-alias"));
            ExecResult allowedPort = get(sandbox, FakeInternet.CIDR_IP, 80);
            ExecResult deniedPort = get(sandbox, FakeInternet.CIDR_IP, 81);

            assertThat(lookup.stdout()).contains(FakeInternet.CIDR_IP);
            assertThat(allowedPort.stdout()).as("positive control").contains("hello from " + FakeInternet.CIDR_IP
                    + ":80");
            assertThat(deniedPort.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.CIDR_IP, 81)).isEmpty();
        }
    }

    @Test
    void underDefaultAllowAnAliasStillCarriesItsTargetsPortLimitedDeny() {
        // given: everything is allowed but the alias's CNAME target on port 81
        EgressPolicy policy = EgressPolicy.allowAll().deny(host("except-target"), 81);
        try (Sandbox sandbox = start(policy)) {
            int mark = bed.internet().mark();

            ExecResult lookup = sh(sandbox, "nslookup " + host("except-alias"));
            ExecResult allowedPort = get(sandbox, FakeInternet.CIDR_IP, 80);
            ExecResult deniedPort = get(sandbox, FakeInternet.CIDR_IP, 81);

            assertThat(lookup.stdout()).contains(FakeInternet.CIDR_IP);
            assertThat(allowedPort.stdout()).as("positive control").contains("hello from " + FakeInternet.CIDR_IP
                    + ":80");
            assertThat(deniedPort.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.CIDR_IP, 81)).isEmpty();
        }
    }

    @Test
    void anUpstreamNxdomainThatCarriesAnAddressOpensNothing() {
        EgressPolicy policy = EgressPolicy.denyAll().allow(host("negative")).allow(host("web"));
        try (Sandbox sandbox = start(policy)) {
            int mark = bed.internet().mark();

            ExecResult negative = sh(sandbox, "nslookup " + host("negative"));
            ExecResult leak = get(sandbox, FakeInternet.DENIED_IP, 80);
            ExecResult control = sh(sandbox, "nslookup " + host("web"));
            ExecResult web = get(sandbox, FakeInternet.ALLOWED_IP, 80);

            assertThat(negative.stdout() + negative.stderr()).contains("NXDOMAIN")
                    .doesNotContain(FakeInternet.DENIED_IP);
            assertThat(leak.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
            assertThat(bed.authority().queriedNames()).as("the upstream was asked and did answer")
                    .contains(host("negative") + ".");
            assertThat(control.stdout()).contains(FakeInternet.ALLOWED_IP);
            assertThat(web.stdout()).as("positive control").contains("hello from " + FakeInternet.ALLOWED_IP);
        }
    }

    @Test
    void anAttackersZoneHandingOutFreshAddressesCannotOpenMoreThanTheNameCapWhileTheGraceLasts()
            throws InterruptedException {
        // given: every lookup of the name returns 64 fresh addresses (the per-name cap) with a TTL of 1 s; the
        // first batch holds the allowed server, the second the denied one; the others have no server
        List<String> unserved = new ArrayList<>();
        for (int i = 1; i <= 254; i++) {
            String ip = "203.0.113." + i;
            if (!List.of(FakeInternet.ALLOWED_IP, FakeInternet.DENIED_IP, FakeInternet.CIDR_IP,
                    FakeInternet.RESOLVER_IP).contains(ip)) {
                unserved.add(ip);
            }
        }
        List<String> pool = new ArrayList<>();
        pool.add(FakeInternet.ALLOWED_IP);
        pool.addAll(unserved.subList(0, 63));
        pool.add(FakeInternet.DENIED_IP);
        pool.addAll(unserved.subList(63, unserved.size()));
        bed.authority().rotate("fresh", Duration.ofSeconds(1), 64, pool);
        try (Sandbox sandbox = start(EgressPolicy.denyAll().allow(host("fresh")))) {
            int mark = bed.internet().mark();

            // when: the first batch, then, once its TTL (floored to 5 s) is over but not its grace, the second
            sh(sandbox, "nslookup " + host("fresh"));
            ExecResult underCap = get(sandbox, FakeInternet.ALLOWED_IP, 80);
            Thread.sleep(6000);
            sh(sandbox, "nslookup " + host("fresh"));
            ExecResult overCap = get(sandbox, FakeInternet.DENIED_IP, 80);
            ExecResult stillOpen = get(sandbox, FakeInternet.ALLOWED_IP, 80);

            // then
            assertThat(underCap.stdout()).as("positive control: under the cap").contains("hello from "
                    + FakeInternet.ALLOWED_IP);
            assertThat(overCap.exitCode()).isNotZero();
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
            assertThat(stillOpen.stdout()).as("the first batch is still open at the firewall: what the cap counts")
                    .contains("hello from " + FakeInternet.ALLOWED_IP);
            List<EgressEvent.DnsDecision> d = decisions(sandbox, host("fresh"));
            assertThat(d.get(0).verdict()).isEqualTo(EgressEvent.Verdict.ALLOWED);
            assertThat(d.get(0).answers()).hasSize(64).contains(FakeInternet.ALLOWED_IP);
            assertThat(d).allSatisfy(e -> assertThat(e.answers()).doesNotContain(FakeInternet.DENIED_IP));
            assertThat(d).filteredOn(e -> e.verdict() == EgressEvent.Verdict.REFUSED).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.reason()).contains("cap per name is 64")
                            .contains("64 new addresses withheld"));
        }
    }

    @Test
    void aQueryFloodFromInsideIsReportedWithItsCountsWhileTheSandboxRuns() throws InterruptedException {
        EgressPolicy policy = EgressPolicy.denyAll().allow(host("web"));
        try (Sandbox sandbox = start(policy)) {
            List<EgressEvent.QueriesShed> shed = new java.util.concurrent.CopyOnWriteArrayList<>();
            sandbox.egressLog().subscribe(e -> {
                if (e instanceof EgressEvent.QueriesShed q) {
                    shed.add(q);
                }
            });

            // when: 800 lookups at once (A and AAAA each), far over the default budget of 400 + 200/s
            sh(sandbox, "for i in $(seq 800); do nslookup flood$i.denied.example >/dev/null 2>&1 & done");
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
            while (budgetShed(shed) < 100 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(3000); // the budget refills (200/s) before the positive control
            ExecResult control = sh(sandbox, "nslookup " + host("web"));

            // then: reported while running, with counts, not one event and the rest at close (datagrams the
            // kernel dropped on a full socket buffer may be reported too, under their own reason)
            assertThat(budgetShed(shed)).isGreaterThanOrEqualTo(100);
            assertThat(shed).filteredOn(q -> q.reason().contains("query budget")).as("a count per interval, not one"
                    + " event per query").hasSizeLessThan(100)
                    .allSatisfy(q -> assertThat(q.reason()).contains("200.0/s (burst 400)"));
            assertThat(control.stdout()).as("positive control").contains(FakeInternet.ALLOWED_IP);
        }
    }

    private static long budgetShed(List<EgressEvent.QueriesShed> shed) {
        return shed.stream().filter(q -> q.reason().contains("query budget"))
                .mapToLong(EgressEvent.QueriesShed::count).sum();
    }
}
