package dev.sandbox4j.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EgressPolicyTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            // exact
            "example.com, example.com, true",
            "example.com, EXAMPLE.com, true",
            "example.com, example.com., true",
            "example.com., example.com, true",
            "example.com, www.example.com, false",
            "example.com, evilexample.com, false",
            "example.com, example.com.evil.net, false",
            "example.com, example.co, false",
            "example.com, example.com.., false",
            // one label
            "*.example.com, a.example.com, true",
            "*.example.com, A.Example.COM., true",
            "*.example.com, example.com, false",
            "*.example.com, a.b.example.com, false",
            "*.example.com, aexample.com, false",
            "*.example.com, a.example.com.evil.net, false",
            // any depth
            "**.example.com, a.example.com, true",
            "**.example.com, a.b.c.example.com, true",
            "**.example.com, example.com, false",
            "**.example.com, xexample.com, false",
            "**.example.com, example.com.evil.net, false",
            // github lookalikes (C1)
            "github.com, evilgithub.com, false",
            "github.com, github.com.evil.com, false",
            "*.githubusercontent.example, raw.githubusercontent.example, true",
            "*.githubusercontent.example, githubusercontent.example.evil.net, false",
    })
    void patternsMatchLabelByLabel(String pattern, String host, boolean expected) {
        // given
        EgressPolicy policy = EgressPolicy.denyAll().allow(pattern);

        // when
        EgressDecision d = policy.decide(host);

        // then
        assertThat(d.allowed()).as(d.reason()).isEqualTo(expected);
        assertThat(d.rule()).isEqualTo(expected ? "allow " + pattern.replaceAll("\\.$", "") : "default");
    }

    @Test
    void unicodeNamesAreStoredAsALabels() {
        // given
        EgressPolicy policy = EgressPolicy.denyAll().allow("*.bücher.example");

        // when
        EgressRule rule = policy.rules().get(0);

        // then
        assertThat(rule).hasToString("allow *.xn--bcher-kva.example");
        assertThat(((EgressRule.HostRule) rule).pattern().domain()).isEqualTo("xn--bcher-kva.example.");
        assertThat(policy.decide("shop.xn--bcher-kva.example").allowed()).isTrue();
        assertThat(policy.decide("shop.bücher.example").allowed()).isTrue();
        assertThat(policy.decide("shop.bucher.example").allowed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "**", "*.", "*.com", "**.com", "*.co.uk", "**.co.uk", "*.github.io",
            "**.amazonaws.com", "a*.example.com", "*a.example.com", "foo.*.example.com", "***.example.com",
            "", " ", ".", "..", "example..com", ".example.com", "example.com..", "exa mple.com", "exa/mple.com",
            "example.com:443", "user@example.com", "-bad.example.com", "bad-.example.com", "ex\u0000ample.com",
            "1.2.3.4", "2001:db8::1", "fa\u00df.example", "x\u200d.example"})
    void badPatternsAreRejectedWhenThePolicyIsBuilt(String pattern) {
        assertThatThrownBy(() -> EgressPolicy.denyAll().allow(pattern))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void overlongLabelsAndNamesAreRejectedAndTheLimitsThemselvesAccepted() {
        String label63 = "a".repeat(63);
        String name253 = String.join(".", label63, label63, label63, "a".repeat(61));
        assertThat(name253).hasSize(253);

        assertThat(EgressPolicy.denyAll().allow(label63 + ".example.com").rules()).hasSize(1);
        assertThat(EgressPolicy.denyAll().allow(name253).rules()).hasSize(1);
        assertThat(EgressPolicy.denyAll().allow(name253 + ".").rules()).hasSize(1);
        assertThatThrownBy(() -> EgressPolicy.denyAll().allow("a" + label63 + ".example.com"))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("at most 63");
        assertThatThrownBy(() -> EgressPolicy.denyAll().allow("a." + name253))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("at most 253");
    }

    @Test
    void publicSuffixRejectionSaysHowToFixIt() {
        assertThatThrownBy(() -> EgressPolicy.denyAll().allow("*.co.uk"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("public suffix")
                .hasMessageContaining("*.yourcompany.co.uk");
    }

    @Test
    void exactPatternsOnSuffixesAreAllowedBecauseTheyCoverOnlyThemselves() {
        assertThat(EgressPolicy.denyAll().allow("github.io").decide("github.io").allowed()).isTrue();
        assertThat(EgressPolicy.denyAll().allow("*.pages.example.github.io").rules()).hasSize(1);
    }

    @Test
    void firstMatchWinsSoADenyBeforeAnAllowCarvesAnException() {
        // given
        EgressPolicy policy = EgressPolicy.denyAll().deny("uploads.example.com").allow("*.example.com");

        // then
        assertThat(policy.decide("uploads.example.com").allowed()).isFalse();
        assertThat(policy.decide("uploads.example.com").rule()).isEqualTo("deny uploads.example.com");
        assertThat(policy.decide("api.example.com").allowed()).isTrue();
        assertThat(policy.decide("api.example.com").rule()).isEqualTo("allow *.example.com");
    }

    @Test
    void anAllowBeforeADenyWins() {
        EgressPolicy policy = EgressPolicy.denyAll().allow("*.example.com").deny("uploads.example.com");

        assertThat(policy.decide("uploads.example.com").allowed()).isTrue();
    }

    @Test
    void allowAllWithADenyDeniesOnlyThatName() {
        EgressPolicy policy = EgressPolicy.allowAll().deny("**.evil.example");

        assertThat(policy.allowsEverything()).isFalse();
        assertThat(policy.decide("x.evil.example").allowed()).isFalse();
        assertThat(policy.decide("good.example").allowed()).isTrue();
        assertThat(policy.decide("good.example").byDefault()).isTrue();
        assertThat(EgressPolicy.allowAll().allowsEverything()).isTrue();
        assertThat(EgressPolicy.denyAll().allowsEverything()).isFalse();
    }

    @Test
    void theDefaultPolicyDeniesEverything() {
        assertThat(EgressPolicy.DEFAULT).isEqualTo(EgressPolicy.denyAll());
        assertThat(EgressPolicy.DEFAULT.decide("pypi.org").allowed()).isFalse();
    }

    @Test
    void portsLimitWhereAnAllowedNameMayConnect() {
        // given
        EgressPolicy policy = EgressPolicy.denyAll().deny("api.example.com", 22).allow("*.example.com", 443, 80);

        // then
        assertThat(policy.isAllowed("api.example.com", 443)).isTrue();
        assertThat(policy.isAllowed("api.example.com", 8443)).isFalse();
        assertThat(policy.isAllowed("api.example.com", 22)).isFalse();
        assertThat(policy.decide("api.example.com").allowed()).as("a port-limited deny does not stop DNS").isTrue();
        assertThat(policy.allowedPorts("api.example.com")).isEqualTo(new AllowedPorts(false, List.of(80, 443)));
        assertThat(policy.allowedPorts("other.test")).isEqualTo(AllowedPorts.NONE);
        assertThat(EgressPolicy.allowAll().deny("x.example", 25).allowedPorts("x.example"))
                .isEqualTo(new AllowedPorts(true, List.of(25)));
    }

    @Test
    void invalidLookupNamesAreDeniedNotThrown() {
        EgressPolicy policy = EgressPolicy.allowAll();

        assertThat(policy.decide("bad..name").allowed()).isFalse();
        assertThat(policy.decide("bad name.example").allowed()).isFalse();
        assertThat(policy.decide("a".repeat(64) + ".example").allowed()).isFalse();
        assertThat(policy.decide("ok.example").allowed()).isTrue();
    }

    @ParameterizedTest(name = "{0} contains {1} -> {2}")
    @CsvSource({
            "203.0.113.0/24, 203.0.113.7, true",
            "203.0.113.0/24, 203.0.114.7, false",
            "203.0.113.5, 203.0.113.5, true",
            "203.0.113.5, 203.0.113.6, false",
            "0.0.0.0/0, 198.51.100.1, true",
            "0.0.0.0/0, 2001:db8::1, false",
            "2001:db8::/32, 2001:db8:ffff::1, true",
            "2001:db8::/32, 2001:db9::1, false",
            "2001:db8::/32, 203.0.113.1, false",
            "192.0.2.128/25, 192.0.2.129, true",
            "192.0.2.128/25, 192.0.2.127, false",
    })
    void cidrsContainAddressesOfTheirFamilyOnly(String cidr, String address, boolean expected)
            throws UnknownHostException {
        EgressPolicy policy = EgressPolicy.denyAll().allowCidr(cidr);

        assertThat(policy.isAllowed(InetAddress.getByName(address), 443)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.7/24", "203.0.113.0/33", "203.0.113.0/", "203.0.113/24", "256.1.1.1/32",
            "01.2.3.4/32", "example.com/24", "2001:db8::1/32", "2001:db8::/129", "fe80::1%eth0/128", "[::1]/128",
            "::ffff:10.0.0.0/104", "203.0.113.0/-1", "", "1.2.3.4/a"})
    void badCidrsAreRejected(String cidr) {
        assertThatThrownBy(() -> EgressPolicy.denyAll().allowCidr(cidr)).isInstanceOf(SandboxConfigException.class);
    }

    @Test
    void cidrWithHostBitsSaysWhichNetworkWasMeant() {
        assertThatThrownBy(() -> Cidr.parse("203.0.113.7/24"))
                .hasMessageContaining("203.0.113.0/24").hasMessageContaining("203.0.113.7/32");
    }

    @Test
    void cidrRulesHonourPortsAndOrder() throws UnknownHostException {
        EgressPolicy policy = EgressPolicy.denyAll().denyCidr("203.0.113.8/29").allowCidr("203.0.113.0/24", 80, 443);
        InetAddress in = InetAddress.getByName("203.0.113.1");
        InetAddress carved = InetAddress.getByName("203.0.113.9");

        assertThat(policy.isAllowed(in, 443)).isTrue();
        assertThat(policy.isAllowed(in, 22)).isFalse();
        assertThat(policy.isAllowed(carved, 443)).isFalse();
        assertThat(policy.decide(in).allowed()).isTrue();
        assertThat(policy.decide(in).byDefault()).isFalse();
        assertThat(policy.decide(InetAddress.getByName("198.51.100.1")).byDefault()).isTrue();
    }

    @Test
    void hostRulesNeverMatchAddresses() throws UnknownHostException {
        EgressPolicy policy = EgressPolicy.denyAll().allow("example.com");

        assertThat(policy.isAllowed(InetAddress.getByName("203.0.113.1"), 443)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"allow example.com", "allow *.example.com:443", "allow **.example.com:80,443",
            "deny evil.example.com", "deny evil.example.com:22", "allow-cidr 203.0.113.0/24:80,443",
            "deny-cidr 198.51.100.0/24", "allow-cidr 2001:db8:0:0:0:0:0:0/32:443"})
    void rulesRoundTripThroughTheirTextForm(String text) {
        EgressRule rule = EgressPolicy.parseRule(text);

        assertThat(rule).hasToString(text);
        assertThat(EgressPolicy.parseRule(rule.toString())).isEqualTo(rule);
    }

    @Test
    void ruleTextIsNormalised() {
        assertThat(EgressPolicy.parseRule("ALLOW  *.Example.COM.:443,80,443")).hasToString("allow *.example.com:80,443");
        assertThat(EgressPolicy.parseRule("allow-cidr 2001:db8::/32:443")).hasToString(
                "allow-cidr 2001:db8:0:0:0:0:0:0/32:443");
    }

    @ParameterizedTest
    @ValueSource(strings = {"permit example.com", "allow", "allow example.com:", "allow example.com:0",
            "allow example.com:70000", "allow example.com:https", "allow-cidr 203.0.113.0/24:", "allow *"})
    void badRuleTextIsRejected(String text) {
        assertThatThrownBy(() -> EgressPolicy.parseRule(text)).isInstanceOf(SandboxConfigException.class);
    }

    @Test
    void wholePoliciesRoundTripThroughTheirTextForm() {
        // given
        EgressPolicy policy = EgressPolicy.denyAll().deny("uploads.example.com").allow("*.example.com", 443)
                .allowCidr("203.0.113.0/24").withUpstream(new InetSocketAddress("127.0.0.1", 5353))
                .withUpstream(new InetSocketAddress("::1", 53));

        // when
        EgressPolicy parsed = EgressPolicy.parse(policy.toString());

        // then
        assertThat(parsed).isEqualTo(policy);
        assertThat(parsed.upstreams()).hasSize(2);
        assertThat(policy.toString()).contains("upstream [0:0:0:0:0:0:0:1]:53");
    }

    @Test
    void policyTextErrorsNameTheLine() {
        assertThatThrownBy(() -> EgressPolicy.parse("default deny\n# ok\nallow *.com\n"))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("line 3");
    }

    @Test
    void unresolvedUpstreamsAreRejected() {
        assertThatThrownBy(() -> EgressPolicy.denyAll().withUpstream(InetSocketAddress.createUnresolved("dns", 53)))
                .isInstanceOf(SandboxConfigException.class);
    }

    @Test
    void policiesAreImmutable() {
        EgressPolicy base = EgressPolicy.denyAll();
        EgressPolicy derived = base.allow("example.com");

        assertThat(base.rules()).isEmpty();
        assertThat(derived.rules()).hasSize(1);
        assertThat(EgressPolicy.denyAll()).isEqualTo(base);
    }
}
