package dev.sandbox4j.egress.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.egress.EgressPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enforcer's settings as the pod manifest gives them. Pure. */
class PodEnforcerSettingsTest {
    private static final InetSocketAddress CLUSTER_DNS = new InetSocketAddress("10.96.0.10", 53);

    private static Map<String, String> env(String policy, String port, String sandbox) {
        return Map.of(PodEnforcer.ENV_POLICY, policy, PodEnforcer.ENV_DNS_PORT, port, PodEnforcer.ENV_SANDBOX, sandbox);
    }

    @Test
    void thePolicysOwnUpstreamIsUsedAndItsTextRoundTrips() {
        // given
        EgressPolicy policy = EgressPolicy.denyAll().allow("pypi.org").allowCidr("203.0.113.0/24", 80)
                .withUpstream(new InetSocketAddress("198.51.100.1", 53));

        // when
        PodEnforcer.Settings s = PodEnforcer.Settings.fromEnv(env(policy.toString(), "5353", "sb4j-1"),
                () -> List.of(CLUSTER_DNS));

        // then
        assertThat(s.policy()).isEqualTo(policy);
        assertThat(s.port()).isEqualTo(5353);
        assertThat(s.sandbox()).isEqualTo("sb4j-1");
        assertThat(s.upstreams()).containsExactly(new InetSocketAddress("198.51.100.1", 53));
        assertThat(s.nft()).isEqualTo(PodEnforcer.DEFAULT_NFT);
    }

    @Test
    void withoutUpstreamsThePodsResolvConfServersAreAsked() {
        // when
        PodEnforcer.Settings s = PodEnforcer.Settings.fromEnv(env("allow pypi.org", "5353", "sb4j-1"),
                () -> List.of(CLUSTER_DNS));

        // then
        assertThat(s.upstreams()).containsExactly(CLUSTER_DNS);
    }

    @Test
    void badSettingsNameTheVariableAndTheFix() {
        assertThatThrownBy(() -> PodEnforcer.Settings.fromEnv(Map.of(), List::of))
                .hasMessageContaining(PodEnforcer.ENV_POLICY + " is not set");
        assertThatThrownBy(() -> PodEnforcer.Settings.fromEnv(env("allow *", "5353", "x"), List::of))
                .hasMessageStartingWith(PodEnforcer.ENV_POLICY + ": egress policy line 1");
        assertThatThrownBy(() -> PodEnforcer.Settings.fromEnv(env("default allow", "5353", "x"), List::of))
                .hasMessageContaining("allows everything");
        assertThatThrownBy(() -> PodEnforcer.Settings.fromEnv(env("allow pypi.org", "53x", "x"), List::of))
                .hasMessageContaining(PodEnforcer.ENV_DNS_PORT + "='53x' must be the port");
        assertThatThrownBy(() -> PodEnforcer.Settings.fromEnv(env("allow pypi.org", "5353", " "), List::of))
                .hasMessageContaining(PodEnforcer.ENV_SANDBOX + " is not set");
        assertThatThrownBy(() -> PodEnforcer.Settings.fromEnv(env("allow pypi.org", "5353", "x"), List::of))
                .hasMessageContaining("no DNS upstream");
    }

    @Test
    void theMarkShimIsRecognisedOnlyWhenMappedIntoTheProcess(@TempDir Path dir) throws Exception {
        // given
        Path with = Files.writeString(dir.resolve("with"),
                "7f00-7f01 r-xp 00000000 00:2a 12 /opt/sandbox4j/native/libsb4j-mark.so\n");
        Path without = Files.writeString(dir.resolve("without"), "7f00-7f01 r-xp 00000000 00:2a 12 /usr/lib/libc.so.6\n");

        // then
        assertThat(PodEnforcer.markShimLoaded(with)).isTrue();
        assertThat(PodEnforcer.markShimLoaded(without)).isFalse();
        assertThat(PodEnforcer.markShimLoaded(dir.resolve("missing"))).isFalse();
        assertThat(PodEnforcer.markShimLoaded(Path.of("/proc/self/maps"))).as("this JVM has no shim").isFalse();
    }
}
