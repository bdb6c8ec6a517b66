package dev.sandbox4j.egress.linux;

import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.egress.internal.dns.TestZone;
import dev.sandbox4j.egress.testbed.TestBed;
import dev.sandbox4j.testing.FakeInternet;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;

/**
 * What the egress end-to-end tests start first: a fake internet (TEST-NET addresses in a network namespace of its
 * own, the standard layout) and a DNS server for the test zone, the sandboxes' upstream, that answers {@link #ALLOWED} with
 * {@link FakeInternet#ALLOWED_IP} and {@link #DENIED} with {@link FakeInternet#DENIED_IP}. Needs Podman (skips the
 * test without it); {@link #close()} stops both. Run under {@code flock /tmp/sb4j-testbed.lock}.
 */
public final class EgressTestBed implements AutoCloseable {
    /** The name the tests' policies allow. */
    public static final String ALLOWED = "alpha.test.sandbox4j.example";
    /** The name the tests' policies leave out. */
    public static final String DENIED = "beta.test.sandbox4j.example";

    private final FakeInternet internet;
    private final TestDnsServer authority;

    private EgressTestBed(FakeInternet internet, TestDnsServer authority) {
        this.internet = internet;
        this.authority = authority;
    }

    /**
     * Starts the fake internet and the authority with the two names; add more records with
     * {@code authority().add(...)}.
     *
     * @return the running test bed
     * @throws IOException if the authority cannot bind
     */
    public static EgressTestBed start() throws IOException {
        RuntimeRequirement.require("podman");
        FakeInternet internet = TestBed.fakeInternet();
        try {
            TestDnsServer authority = TestZone.server();
            authority.add("alpha 60 A " + FakeInternet.ALLOWED_IP);
            authority.add("beta 60 A " + FakeInternet.DENIED_IP);
            return new EgressTestBed(internet, authority);
        } catch (IOException | RuntimeException e) {
            internet.close();
            throw e;
        }
    }

    /** The fake internet. */
    public FakeInternet internet() {
        return internet;
    }

    /** The authority the sandboxes' DNS interceptors ask. */
    public TestDnsServer authority() {
        return authority;
    }

    @Override
    public void close() throws IOException {
        try {
            authority.close();
        } finally {
            internet.close();
        }
    }
}
