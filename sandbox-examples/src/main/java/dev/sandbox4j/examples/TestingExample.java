package dev.sandbox4j.examples;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.testing.FakeInternet;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** The test servers of {@code sandbox-testing} under a policed sandbox (docs/testing.md). */
public final class TestingExample {
    private TestingExample() {
    }

    /**
     * Resolves an allowed and a denied name in a sandbox whose DNS upstream is a {@link TestDnsServer}.
     *
     * @param image an image with busybox {@code nslookup}
     * @return the allowed lookup, the denied lookup, and the names the server was asked, in that order
     * @throws IOException if the DNS server cannot bind a port
     */
    public static List<Object> resolve(String image) throws IOException {
        // docs:dns
        try (TestDnsServer dns = TestDnsServer.builder()               // UDP and TCP on a free port of 127.0.0.1
                .host("api.allowed.example", "203.0.113.10")
                .host("exfil.denied.example", "203.0.113.11")
                .start();
             Sandbox sandbox = Sandbox.builder()
                .image(image)
                .egress(EgressPolicy.denyAll().allow("api.allowed.example").withUpstream(dns.address()))
                .start()) {
            ExecResult allowed = sandbox.exec("nslookup", "api.allowed.example");  // exit 0, 203.0.113.10
            ExecResult denied = sandbox.exec("nslookup", "exfil.denied.example");  // NXDOMAIN from the interceptor
            List<String> asked = dns.queriedNames();  // [api.allowed.example.]: the denied name never left the sandbox
            // docs:end
            return List.of(allowed, denied, asked);
        }
    }

    /**
     * Connects from a sandbox to an allowed and a denied server of a {@link FakeInternet} (needs root).
     *
     * @param image an image with busybox {@code nc}
     * @return what reached the allowed server, then what reached the denied one
     * @throws InterruptedException if interrupted while waiting for the record
     */
    public static List<List<String>> connect(String image) throws InterruptedException {
        // docs:internet
        try (FakeInternet internet = FakeInternet.builder()            // a network namespace: needs root
                .echo("203.0.113.10", 80)                              // answers "hello from 203.0.113.10:80"
                .echo("203.0.113.11", 80)
                .start();
             Sandbox sandbox = Sandbox.builder()
                .image(image)
                .egress(EgressPolicy.denyAll().allowCidr("203.0.113.10/32"))
                .start()) {
            int mark = internet.mark();
            sandbox.exec("sh", "-c", "echo hi | nc -w 5 203.0.113.10 80; echo hi | nc -w 5 203.0.113.11 80");
            List<String> allowed = internet.awaitSeen(mark, "tcp", "203.0.113.10", 80,  // one connection: the
                    1, Duration.ofSeconds(10));                                      // record trails the client
            List<String> denied = internet.seenSince(mark, "tcp", "203.0.113.11", 80);   // none: the firewall refused it
            // docs:end
            return List.of(allowed, denied);
        }
    }
}
