package dev.sandbox4j.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.PodmanContract;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.internal.podman.PodmanMode;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The whole runtime contract again, every sandbox under a deny-all egress policy: a network of its own, a DNS
 * interceptor and nftables rules must not break exec, mounts, copy, published ports, limits or cleanup.
 */
class PodmanPolicedContractTest extends PodmanContract {
    @Override
    protected SandboxSpec.Builder spec() {
        // The upstream is never asked: deny-all answers every name itself. It is set so no test depends on the
        // machine's resolver configuration.
        return super.spec().egress(EgressPolicy.denyAll().withUpstream(new InetSocketAddress("127.0.0.1", 9)));
    }

    @Test
    void sandboxesOfThisSuiteArePoliced() {
        String answer = shared.exec("sh", "-c", "nslookup pypi.org 2>&1").stdout();

        assertThat(answer).contains("NXDOMAIN");
        assertThat(shared.egressLog().events()).anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                && d.qname().startsWith("pypi.org") && d.verdict() == EgressEvent.Verdict.DENIED);
    }

    @Override
    protected boolean limitsEnforced() {
        return PodmanMode.current().enforcesLimits();
    }
}
