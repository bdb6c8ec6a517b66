package dev.sandbox4j.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.testing.TestDnsServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The published sandbox-testing module as docs/testing.md shows it: a test DNS server as a policed sandbox's upstream. */
class TestServersTest {
    @Test
    void aPolicedSandboxResolvesTheAllowedNameThroughTheTestServerAndNeverAsksItForTheDeniedOne() throws Exception {
        // given
        try (TestDnsServer dns = TestDnsServer.builder()
                .host("api.allowed.example", "203.0.113.10")
                .host("exfil.denied.example", "203.0.113.11")
                .start();
             Sandbox sandbox = Sandbox.builder()
                .image(ApiTest.IMAGE)
                .egress(EgressPolicy.denyAll().allow("api.allowed.example").withUpstream(dns.address()))
                .start()) {

            // when
            ExecResult allowed = sandbox.exec("nslookup", "api.allowed.example");
            ExecResult denied = sandbox.exec("nslookup", "exfil.denied.example");
            List<String> asked = dns.queriedNames();

            // then
            assertEquals(0, allowed.exitCode(), () -> "the allowed lookup failed: " + allowed);
            assertTrue(allowed.stdout().contains("203.0.113.10"), () -> "no address in " + allowed.stdout());
            assertTrue(denied.exitCode() != 0, () -> "the denied lookup succeeded: " + denied);
            assertTrue(asked.contains("api.allowed.example."), () -> "the server was asked " + asked);
            assertTrue(!asked.contains("exfil.denied.example."), () -> "the denied name reached the server: " + asked);
        }
    }

    @Test
    void aMalformedRecordIsAConfigErrorThatShowsTheFormat() {
        // given
        TestDnsServer.Builder builder = TestDnsServer.builder();

        // when
        SandboxConfigException e = assertThrows(SandboxConfigException.class, () -> builder.record("www A 192.0.2.1"));

        // then
        assertTrue(e.getMessage().contains("NAME TTL TYPE RDATA"), e::getMessage);
    }
}
