package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The egress tests' DNS zone, served by a {@link TestDnsServer} whose origin is {@link #ZONE}: constructed test data
 * only, with TEST-NET addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) or deliberately bad
 * ones, and the scripted behaviours (truncation, pollution, a spoofed reply) the interceptor must withstand.
 */
public final class TestZone {
    /** The zone every relative name of these tests is in. */
    public static final String ZONE = "test.sandbox4j.example.";

    private TestZone() {
    }

    /**
     * A name of the zone, absolute and lowercase, as the server records it.
     *
     * @param relative a name relative to the zone, or an absolute one (ending with a dot)
     * @return the absolute name
     */
    public static String name(String relative) {
        return relative.endsWith(".") ? relative : relative + "." + ZONE;
    }

    /**
     * An empty server for the zone on a free port of 127.0.0.1.
     *
     * @return the running server
     * @throws IOException if no port is free
     */
    public static TestDnsServer server() throws IOException {
        return TestDnsServer.builder().origin(ZONE).start();
    }

    /**
     * An empty server for the zone on a given address, for upstreams another network namespace must reach (the host
     * side of the fake internet's link).
     *
     * @param bind the address and port
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static TestDnsServer server(InetSocketAddress bind) throws IOException {
        return TestDnsServer.builder().origin(ZONE).bind(bind).start();
    }

    /**
     * The standard test zone.
     *
     * @return the running server
     * @throws IOException if no port is free
     */
    public static TestDnsServer start() throws IOException {
        TestDnsServer.Builder b = TestDnsServer.builder().origin(ZONE)
                .record("www 60 A 192.0.2.10")
                .record("v6 60 AAAA 2001:db8::10")
                .record("dual 60 A 198.51.100.20")
                .record("dual 60 AAAA 2001:db8::20")
                .record("alias 120 CNAME www")
                .record("alias2 30 CNAME alias")
                .record("to-denied 60 CNAME bad.denied.example.")
                .record("bad.denied.example. 60 A 198.51.100.66")
                .record("loop1 60 CNAME loop2")
                .record("loop2 60 CNAME loop1")
                .record("loopback 60 A 127.0.0.1")
                .record("private 60 A 10.1.2.3")
                .record("cgnat 60 A 100.64.0.1")
                .record("linklocal 60 A 169.254.10.10")
                .record("metadata 60 A 169.254.169.254")
                .record("metadata6 60 AAAA fd00:ec2::254")
                .record("mapped 60 AAAA ::ffff:127.0.0.1")
                .record("nat64 60 AAAA 64:ff9b::a01:203")
                .record("ula 60 AAAA fd12:3456::1")
                .record("unspecified 60 A 0.0.0.0")
                .record("mixed 60 A 192.0.2.20")
                .record("mixed 60 A 127.0.0.1")
                .record("extra 60 A 192.0.2.30")
                .record("short 0 A 192.0.2.40")
                .record("long 86400 A 192.0.2.41")
                .record("txt 60 TXT \"exfil\"")
                .record("secret 60 A 192.0.2.99")
                .record("p-alias 60 CNAME p-target")
                .record("p-alias2 60 CNAME p-mid")
                .record("p-mid 60 CNAME p-target")
                .record("p-target 60 A 192.0.2.60")
                .record("p-target 60 AAAA 2001:db8::60")
                .record("negative 60 A 192.0.2.70")
                .record("negative 60 AAAA 2001:db8::70")
                .record("negative-alias 60 CNAME negative")
                .record("spoofed 60 A 192.0.2.50");
        for (int i = 1; i <= 100; i++) {
            b.record("big 60 A 203.0.113." + i);
        }
        for (int i = 1; i <= 20; i++) {
            b.record("many 60 A 198.51.100." + (100 + i));
        }
        TestDnsServer server = b.start();
        server.truncateOverUdp("big");
        server.pollute("extra");
        server.spoofFirst("spoofed");
        return server;
    }
}
