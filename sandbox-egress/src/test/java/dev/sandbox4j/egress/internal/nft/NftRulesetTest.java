package dev.sandbox4j.egress.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftRulesetTest {
    private static NftRuleset ruleset(List<NftRuleset.CidrRule> cidrs) throws Exception {
        return new NftRuleset("sandbox4j_abc123", "podman7", InetAddress.getByName("10.89.6.1"), 40053, cidrs);
    }

    @Test
    void everyPort53PacketOfTheSandboxIsRedirectedToItsInterceptor() throws Exception {
        String script = ruleset(List.of()).create();

        assertThat(script).contains("iifname \"podman7\" udp dport 53 redirect to :40053\n")
                .contains("iifname \"podman7\" tcp dport 53 redirect to :40053\n")
                .contains("type nat hook prerouting priority dstnat - 10;");
    }

    @Test
    void onlyTcpToLearnedAddressesLeavesAndEverythingElseIsRejected() throws Exception {
        String script = ruleset(List.of()).create();
        String chain = script.substring(script.indexOf("chain from_sandbox"), script.indexOf("chain deny_egress"));

        assertThat(chain).containsSubsequence("ct direction reply accept", "tcp dport 853 jump deny_egress",
                "meta l4proto != tcp jump deny_egress", "ip daddr @a4 accept", "ip daddr . tcp dport @a4p accept",
                "jump deny_egress");
        assertThat(script).contains("meta l4proto tcp reject with tcp reset\n")
                .contains("reject with icmpx admin-prohibited\n");
    }

    @Test
    void theHostAnswersTheSandboxOnlyOnTheRedirectedDnsPort() throws Exception {
        String script = ruleset(List.of()).create();
        String chain = script.substring(script.indexOf("chain sandbox_to_host"));

        assertThat(chain).containsSubsequence("ip daddr 10.89.6.1 udp dport 40053 ct status dnat accept",
                "ip daddr 10.89.6.1 tcp dport 40053 ct status dnat accept", "counter name dropped_host",
                "reject with tcp reset");
    }

    @Test
    void onlyTheSandboxCanReachItsInterceptor() throws Exception {
        String script = ruleset(List.of()).create();

        assertThat(script).contains("    iifname != \"podman7\" udp dport 40053 drop\n")
                .contains("    iifname != \"podman7\" tcp dport 40053 drop\n");
    }

    @Test
    void cidrRulesBecomeStaticAllowancesWithTheirPorts() throws Exception {
        String script = ruleset(List.of(new NftRuleset.CidrRule(true, "203.0.113.0/24", false, List.of(80, 443)),
                new NftRuleset.CidrRule(true, "2001:db8::/32", true, List.of()))).create();

        assertThat(script).contains("    ip daddr 203.0.113.0/24 tcp dport { 80, 443 } accept\n")
                .contains("    ip6 daddr 2001:db8::/32 accept\n");
    }

    @Test
    void cidrDenyRulesComeBeforeLearnedAddresses() throws Exception {
        String script = ruleset(List.of(new NftRuleset.CidrRule(false, "203.0.113.128/25", false, List.of()))).create();

        assertThat(script).containsSubsequence("    ip daddr 203.0.113.128/25 jump deny_egress\n", "ip daddr @a4 accept");
    }

    @Test
    void learnedAddressesAreAddedWithTheirTimeoutToTheRightSet() throws Exception {
        NftRuleset r = ruleset(List.of());

        String any = r.addElements(List.of(InetAddress.getByName("198.51.100.7"), InetAddress.getByName("2001:db8::1")),
                List.of(), Duration.ofSeconds(90));
        String ports = r.addElements(List.of(InetAddress.getByName("198.51.100.7")), List.of(443, 8443),
                Duration.ofMillis(1500));

        assertThat(any).isEqualTo("add element inet sandbox4j_abc123 a4 { 198.51.100.7 timeout 90s }; "
                + "add element inet sandbox4j_abc123 a6 { 2001:db8:0:0:0:0:0:1 timeout 90s };");
        assertThat(ports).isEqualTo("add element inet sandbox4j_abc123 a4p { 198.51.100.7 . 443 timeout 1s, "
                + "198.51.100.7 . 8443 timeout 1s };");
    }

    @Test
    void namesThatCouldInjectRulesAreRejected() {
        assertThatThrownBy(() -> new NftRuleset("sandbox4j_x", "eth0\" accept", InetAddress.getByName("10.0.0.1"),
                53, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NftRuleset("other; flush ruleset", "eth0", InetAddress.getByName("10.0.0.1"),
                53, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDefaultAllowPolicyLetsTrafficOutButNeverToTheHostMetadataOrOtherSandboxes() throws Exception {
        String script = new NftRuleset("sandbox4j_abc123", "podman7", InetAddress.getByName("10.89.6.1"), 40053,
                List.of(new NftRuleset.CidrRule(false, "203.0.113.0/24", false, List.of())), true).create();
        String chain = script.substring(script.indexOf("chain from_sandbox"), script.indexOf("chain deny_egress"));

        assertThat(chain).containsSubsequence("oifname \"podman*\" jump deny_egress",
                "ip daddr 169.254.0.0/16 jump deny_egress", "ip daddr 203.0.113.0/24 jump deny_egress", "    accept\n");
        assertThat(chain).doesNotContain("@a4").doesNotContain("meta l4proto != tcp");
        assertThat(script).contains("chain sandbox_to_host").contains("iifname \"podman7\" udp dport 53 redirect");
    }

    @Test
    void deleteRemovesTheWholeTable() throws Exception {
        assertThat(ruleset(List.of()).delete()).isEqualTo("delete table inet sandbox4j_abc123\n");
    }
}
