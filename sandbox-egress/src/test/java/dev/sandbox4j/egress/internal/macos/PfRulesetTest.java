package dev.sandbox4j.egress.internal.macos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generated anchor text and pfctl argument lists, exactly. Nothing here was run by a real pfctl. */
class PfRulesetTest {
    private static final String PF = "/sbin/pfctl";

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static PfRuleset ruleset() throws Exception {
        return new PfRuleset("sb4j-abc", Cidr.parse("192.168.65.0/24"), Optional.of(Cidr.parse("fd97:7f2f:97db:3103::/64")),
                ip("192.168.65.1"), 40053,
                List.of(new PfRuleset.CidrRule(false, Cidr.parse("203.0.113.128/25"), List.of()),
                        new PfRuleset.CidrRule(true, Cidr.parse("203.0.113.0/24"), List.of(443, 80))),
                List.of(443, 22));
    }

    @Test
    void anchorTextRedirectsDnsBlocksHostAndPassesOnlyLearnedAndAllowedTcp() throws Exception {
        // given
        PfRuleset r = ruleset();

        // when
        String text = r.text();

        // then
        String from = "{ 192.168.65.0/24, fd97:7f2f:97db:3103:0:0:0:0/64 }";
        assertThat(text).isEqualTo("""
                # Sandbox4j egress rules for one sandbox; generated, loaded with pfctl -a com.apple/000.sandbox4j.sb4j-abc
                table <sb4j_any> persist
                table <sb4j_p22> persist
                table <sb4j_p443> persist
                table <sb4j_x22> persist
                table <sb4j_x443> persist
                rdr inet proto udp from 192.168.65.0/24 to any port 53 -> 127.0.0.1 port 40053 label "sb4j-rdr-dns-udp"
                rdr inet proto tcp from 192.168.65.0/24 to any port 53 -> 127.0.0.1 port 40053 label "sb4j-rdr-dns-tcp"
                pass out quick from any to FROM keep state label "sb4j-to-sandbox"
                pass in quick inet proto udp from 192.168.65.0/24 to 127.0.0.1 port 40053 keep state label "sb4j-dns-udp"
                pass in quick inet proto tcp from 192.168.65.0/24 to 127.0.0.1 port 40053 flags S/SA keep state label "sb4j-dns-tcp"
                block return in quick from FROM to self label "sb4j-host"
                block return in quick from FROM to 192.168.65.1 label "sb4j-gateway"
                block return in quick inet6 proto { tcp, udp } from fd97:7f2f:97db:3103:0:0:0:0/64 to any port 53 label "sb4j-dns6"
                block return in quick proto tcp from FROM to any port 853 label "sb4j-dot"
                block return in quick from FROM to 203.0.113.128/25 label "sb4j-deny-cidr-0"
                block return in quick proto tcp from FROM to <sb4j_x22> port 22 label "sb4j-except-22"
                block return in quick proto tcp from FROM to <sb4j_x443> port 443 label "sb4j-except-443"
                pass in quick proto tcp from FROM to <sb4j_any> flags S/SA keep state label "sb4j-learned"
                pass in quick proto tcp from FROM to <sb4j_p22> port 22 flags S/SA keep state label "sb4j-learned-22"
                pass in quick proto tcp from FROM to <sb4j_p443> port 443 flags S/SA keep state label "sb4j-learned-443"
                pass in quick proto tcp from FROM to 203.0.113.0/24 port { 80, 443 } flags S/SA keep state label "sb4j-allow-cidr-1"
                block return in quick from FROM to any label "sb4j-default"
                """.replace("FROM", from));
    }

    @Test
    void withoutAnIpv6SubnetRulesKeyOnTheIpv4SubnetAlone() throws Exception {
        // given
        PfRuleset r = new PfRuleset("k", Cidr.parse("192.168.66.0/24"), Optional.empty(), ip("192.168.66.1"), 5353,
                List.of(), List.of());

        // when
        String text = r.text();

        // then
        assertThat(text).doesNotContain("inet6").doesNotContain("{ 192")
                .contains("block return in quick from 192.168.66.0/24 to any label \"sb4j-default\"\n")
                .endsWith("block return in quick from 192.168.66.0/24 to any label \"sb4j-default\"\n");
        assertThat(r.tables()).containsExactly("sb4j_any");
    }

    @Test
    void labelsAreSplitBetweenTranslationAndFilterRules() throws Exception {
        // given
        PfRuleset r = ruleset();

        // then
        assertThat(r.natLabels()).containsExactly("sb4j-rdr-dns-udp", "sb4j-rdr-dns-tcp");
        assertThat(r.filterLabels()).contains("sb4j-default", "sb4j-host", "sb4j-learned-443").hasSize(15);
    }

    @Test
    void missingLabelsAreFoundWhateverTheListingFormat() throws Exception {
        // given: pfctl -s nat prints rules in its own canonical form
        String listing = "rdr inet proto udp from 192.168.65.0/24 to any port = 53 label \"sb4j-rdr-dns-udp\" "
                + "-> 127.0.0.1 port 40053\n";

        // when
        Set<String> missing = PfRuleset.missingLabels(ruleset().natLabels(), listing);

        // then
        assertThat(missing).containsExactly("sb4j-rdr-dns-tcp");
    }

    @Test
    void learnedAddressesGoToTheTablesOfTheirPorts() throws Exception {
        // given
        PfRuleset r = ruleset();

        // then
        assertThat(r.tablesFor(AllowedPorts.ALL)).containsExactly("sb4j_any");
        assertThat(r.tablesFor(new AllowedPorts(false, List.of(443)))).containsExactly("sb4j_p443");
        assertThat(r.tablesFor(new AllowedPorts(true, List.of(22)))).containsExactly("sb4j_any", "sb4j_x22");
        assertThat(r.tablesFor(AllowedPorts.NONE)).isEmpty();
        assertThatThrownBy(() -> r.tablesFor(new AllowedPorts(false, List.of(8443))))
                .hasMessageContaining("port 8443 has no pf table");
    }

    @Test
    void argumentListsNameTheAnchorAndTakeAddressesFromInetAddresses() throws Exception {
        // given
        PfRuleset r = ruleset();
        String a = "com.apple/000.sandbox4j.sb4j-abc";

        // then
        assertThat(r.loadArgs(PF)).containsExactly(PF, "-a", a, "-f", "-");
        assertThat(r.showRulesArgs(PF)).containsExactly(PF, "-a", a, "-s", "rules");
        assertThat(r.showNatArgs(PF)).containsExactly(PF, "-a", a, "-s", "nat");
        assertThat(r.tableAddArgs(PF, "sb4j_any", List.of(ip("198.51.100.7"), ip("2001:db8::1"))))
                .containsExactly(PF, "-a", a, "-t", "sb4j_any", "-T", "add", "198.51.100.7", "2001:db8:0:0:0:0:0:1");
        assertThat(r.tableDeleteArgs(PF, "sb4j_p443", List.of(ip("198.51.100.7"))))
                .containsExactly(PF, "-a", a, "-t", "sb4j_p443", "-T", "delete", "198.51.100.7");
        assertThat(r.flushArgs(PF)).containsExactly(List.of(PF, "-a", a, "-F", "nat"), List.of(PF, "-a", a, "-F", "rules"),
                List.of(PF, "-a", a, "-F", "Tables"));
        assertThat(r.killStatesArgs(PF)).containsExactly(PF, "-k", "192.168.65.0/24");
        assertThat(PfRuleset.enableArgs(PF)).containsExactly(PF, "-E");
        assertThat(PfRuleset.releaseArgs(PF, "17465281834372453963")).containsExactly(PF, "-X", "17465281834372453963");
    }

    @Test
    void unsafeNamesTablesTokensAndAddressesAreRefused() throws Exception {
        // given
        Cidr subnet = Cidr.parse("192.168.65.0/24");
        InetAddress gw = ip("192.168.65.1");

        // then
        assertThatThrownBy(() -> new PfRuleset("a\"; pass all", subnet, Optional.empty(), gw, 53, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sandbox key");
        assertThatThrownBy(() -> new PfRuleset("k", subnet, Optional.empty(), ip("10.0.0.1"), 53, List.of(), List.of()))
                .hasMessageContaining("gateway must be an IPv4 address in 192.168.65.0/24");
        assertThatThrownBy(() -> new PfRuleset("k", Cidr.parse("0.0.0.0/0"), Optional.empty(), gw, 53, List.of(), List.of()))
                .hasMessageContaining("/8 or longer");
        assertThatThrownBy(() -> new PfRuleset("k", subnet, Optional.empty(), gw, 0, List.of(), List.of()))
                .hasMessageContaining("not a port");
        assertThatThrownBy(() -> ruleset().tableAddArgs(PF, "sb4j_any> pass all <x", List.of(ip("198.51.100.7"))))
                .hasMessageContaining("has no table");
        assertThatThrownBy(() -> PfRuleset.releaseArgs(PF, "1; pfctl -d")).hasMessageContaining("not a pf token");
    }

    @Test
    void tokenStatusAndAnchorPointsAreReadFromPfctlOutput() {
        // given: `pfctl -E` and `pfctl -s info` as documented in pfctl(8) on macOS (constructed, not captured)
        String enabled = "No ALTQ support in kernel\nALTQ related functions disabled\npf enabled\nToken : 17465281834372453963\n";

        // then
        assertThat(PfRuleset.token(enabled)).contains("17465281834372453963");
        assertThat(PfRuleset.token("pf enabled\n")).isEmpty();
        assertThat(PfRuleset.enabled("Status: Enabled for 0 days 00:01:02           Debug: Urgent\n")).isTrue();
        assertThat(PfRuleset.enabled("Status: Disabled                              Debug: Urgent\n")).isFalse();
        assertThat(PfRuleset.evaluatesParent("scrub-anchor \"com.apple/*\" all fragment reassemble\n"
                + "anchor \"com.apple/*\" all\n", "anchor")).isTrue();
        assertThat(PfRuleset.evaluatesParent("nat-anchor \"com.apple/*\" all\n", "rdr-anchor")).isFalse();
    }
}
