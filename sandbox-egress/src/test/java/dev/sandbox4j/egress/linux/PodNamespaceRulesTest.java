package dev.sandbox4j.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.linux.PodNamespaceRules;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-namespace rules of a Kubernetes pod: exact text of what differs from the Podman table. Pure. */
class PodNamespaceRulesTest {
    private static final EgressPolicy POLICY = EgressPolicy.denyAll().allow("pypi.org")
            .withUpstream(new InetSocketAddress("10.96.0.10", 53));

    private static String chain(String script, String name) {
        int start = script.indexOf("  chain " + name + " {");
        return script.substring(start, script.indexOf("\n  }\n", start) + 5);
    }

    @Test
    void onlyMarkedPacketsToTheUpstreamSkipTheRedirect() {
        // when
        String redirect = chain(new PodNamespaceRules().ruleset(POLICY, 5353), "dns_redirect");

        // then
        assertThat(redirect).isEqualTo("""
                  chain dns_redirect {
                    type nat hook output priority -110; policy accept;
                    oif "lo" return
                    meta mark 0x5b4a0053 ip daddr 10.96.0.10 udp dport 53 return
                    meta mark 0x5b4a0053 ip daddr 10.96.0.10 tcp dport 53 return
                    meta nfproto ipv4 udp dport 53 dnat ip to 127.0.0.1:5353
                    meta nfproto ipv4 tcp dport 53 dnat ip to 127.0.0.1:5353
                  }
                """);
    }

    @Test
    void markedUpstreamPacketsAreAcceptedBeforeEveryDenyAndLearnedAddressesNeedTheHeartbeat() {
        // when
        String output = chain(new PodNamespaceRules().ruleset(POLICY, 5353), "output");

        // then: accepted before the forbidden classes (10.96.0.10 is private) and the deny of non-TCP
        assertThat(output).startsWith("""
                  chain output {
                    type filter hook output priority filter - 10; policy drop;
                    oif "lo" accept
                    ct direction reply accept
                    meta mark 0x5b4a0053 ip daddr 10.96.0.10 udp dport 53 accept
                    meta mark 0x5b4a0053 ip daddr 10.96.0.10 tcp dport 53 accept
                """);
        assertThat(output).contains("""
                    meta l4proto @alive ip daddr @a4 accept
                    meta l4proto @alive ip daddr . tcp dport @a4p accept
                    meta l4proto @alive ip6 daddr @a6 accept
                    meta l4proto @alive ip6 daddr . tcp dport @a6p accept
                    jump deny_egress
                """);
        assertThat(output).doesNotContain("    ip daddr @a4 accept");
    }

    @Test
    void withoutUpstreamsMarkedPacketsMayGoToPort53OfAnyAddress() {
        // when
        String redirect = chain(new PodNamespaceRules().ruleset(EgressPolicy.denyAll().allow("pypi.org"), 5353),
                "dns_redirect");

        // then
        assertThat(redirect).contains("    meta mark 0x5b4a0053 udp dport 53 return\n")
                .contains("    meta mark 0x5b4a0053 tcp dport 53 return\n");
    }

    @Test
    void anIpv6UpstreamWithItsOwnPortIsMatchedAsSuch() {
        // when
        String output = chain(new PodNamespaceRules().ruleset(EgressPolicy.denyAll()
                .withUpstream(EgressPolicy.parseUpstream("[2001:db8::53]:5300")), 5353), "output");

        // then
        assertThat(output).contains("    meta mark 0x5b4a0053 ip6 daddr 2001:db8:0:0:0:0:0:53 udp dport 5300 accept\n");
    }

    @Test
    void theHeartbeatIsOneTransactionThatAlwaysChangesTheSet() {
        // when
        NftRuleset rules = PodNamespaceRules.rules(POLICY, 5353);

        // then
        assertThat(rules.create()).contains("  set alive { type inet_proto; flags timeout; }\n");
        assertThat(rules.heartbeat(Duration.ofSeconds(10))).isEqualTo(
                "add element inet sandbox4j_pod alive { tcp timeout 10s }; delete element inet sandbox4j_pod alive"
                        + " { tcp }; add element inet sandbox4j_pod alive { tcp timeout 10s };");
    }

    @Test
    void thePodmanTableHasNeitherMarkNorHeartbeat() {
        // given
        NftRuleset podman = new NftRuleset("sandbox4j_x", java.net.InetAddress.getLoopbackAddress(), 5353, List.of(),
                List.of(), false, List.of());

        // then
        assertThat(podman.create()).doesNotContain("meta mark").doesNotContain("alive");
        assertThatThrownBy(() -> podman.heartbeat(Duration.ofSeconds(10))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> podman.withMarkedUpstreams(0, List.of()))
                .hasMessageContaining("a socket mark is 1 to 0xFFFFFFFF");
    }
}
