package dev.sandbox4j.egress.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.egress.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftRulesetTest {
    private static final String TABLE = "sandbox4j_sb4j_0123456789ab";
    private static final List<Cidr> HOST = List.of(Cidr.parse("10.89.6.1/32"), Cidr.parse("10.89.6.0/24"),
            Cidr.parse("192.0.2.7/32"), Cidr.parse("2001:db8::7/128"));
    private static final List<NftRuleset.Inbound> PUBLISHED = List.of(new NftRuleset.Inbound("tcp", 8080),
            new NftRuleset.Inbound("udp", 5000));

    private static NftRuleset ruleset(List<NftRuleset.CidrRule> cidrs, boolean defaultAllow) throws Exception {
        return new NftRuleset(TABLE, InetAddress.getByName("10.89.6.1"), 40053, HOST, cidrs, defaultAllow, PUBLISHED);
    }

    private static List<NftRuleset.CidrRule> denyAndAllow() {
        return List.of(new NftRuleset.CidrRule(false, "203.0.113.128/25", false, List.of(25)),
                new NftRuleset.CidrRule(true, "203.0.113.0/24", false, List.of(80, 443)));
    }

    private static String chain(String script, String name) {
        int start = script.indexOf("  chain " + name + " {");
        return script.substring(start, script.indexOf("\n  }\n", start) + 5);
    }

    @Test
    void aDenyByDefaultTableIsExactlyThis() throws Exception {
        // when
        String script = ruleset(denyAndAllow(), false).create();

        // then
        assertThat(script).isEqualTo("""
                table inet sandbox4j_sb4j_0123456789ab {
                  set a4 { type ipv4_addr; flags timeout; }
                  set a4p { type ipv4_addr . inet_service; flags timeout; }
                  set a6 { type ipv6_addr; flags timeout; }
                  set a6p { type ipv6_addr . inet_service; flags timeout; }
                  set d4p { type ipv4_addr . inet_service; flags timeout; }
                  set d6p { type ipv6_addr . inet_service; flags timeout; }
                  set ack { type inet_service; flags timeout; }
                  counter dropped_egress { }
                  counter dropped_host { }
                  counter dropped_dns_flood { }
                  ct timeout dns_udp {
                    protocol udp
                    l3proto ip
                    policy = { unreplied : 5, replied : 5 }
                  }
                  chain dns_guard {
                    type filter hook output priority raw; policy accept;
                    oif "lo" accept
                    udp dport 53 limit rate over 400/second burst 800 packets counter name dropped_dns_flood drop
                    tcp dport 53 tcp flags & (syn | ack) == syn limit rate over 20/second burst 40 packets counter name dropped_dns_flood drop
                    udp dport 53 ct timeout set "dns_udp"
                  }
                  chain dns_redirect {
                    type nat hook output priority -110; policy accept;
                    oif "lo" return
                    meta nfproto ipv4 udp dport 53 dnat ip to 10.89.6.1:40053
                    meta nfproto ipv4 tcp dport 53 dnat ip to 10.89.6.1:40053
                  }
                  chain output {
                    type filter hook output priority filter - 10; policy drop;
                    oif "lo" accept
                    ct direction reply accept
                    ip daddr 10.89.6.1 udp dport 40053 ct status dnat accept
                    ip daddr 10.89.6.1 tcp dport 40053 ct status dnat accept
                    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept
                    ip daddr { 10.89.6.1/32, 10.89.6.0/24, 192.0.2.7/32 } jump deny_host
                    ip6 daddr { 2001:db8:0:0:0:0:0:7/128 } jump deny_host
                    ip daddr 203.0.113.128/25 meta l4proto { tcp, udp, udplite, sctp, dccp } th dport { 25 } jump deny_egress
                    ip daddr { 169.254.169.254/32, 100.100.100.200/32, 168.63.129.16/32, 192.0.0.192/32 } jump deny_egress
                    ip6 daddr { fd00:ec2:0:0:0:0:0:254/128 } jump deny_egress
                    tcp dport 853 jump deny_egress
                    meta l4proto != tcp jump deny_egress
                    meta l4proto { tcp, udp, udplite, sctp, dccp } ip daddr . th dport @d4p jump deny_egress
                    meta l4proto { tcp, udp, udplite, sctp, dccp } ip6 daddr . th dport @d6p jump deny_egress
                    ip daddr 203.0.113.0/24 tcp dport { 80, 443 } accept
                    ip daddr { 0.0.0.0/8, 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16, 192.0.0.0/24, 198.18.0.0/15, 255.255.255.255/32, 224.0.0.0/4, 240.0.0.0/4 } jump deny_egress
                    ip6 daddr { 0:0:0:0:0:0:0:0/96, 0:0:0:0:0:ffff:0:0/96, ff00:0:0:0:0:0:0:0/8, fe80:0:0:0:0:0:0:0/10, fec0:0:0:0:0:0:0:0/10, fc00:0:0:0:0:0:0:0/7, 100:0:0:0:0:0:0:0/64, 64:ff9b:1:0:0:0:0:0/48, 2001:0:0:0:0:0:0:0/32, 64:ff9b:0:0:0:0:0:0/104, 2002:0:0:0:0:0:0:0/24, 64:ff9b:0:0:0:0:7f00:0/104, 2002:7f00:0:0:0:0:0:0/24, 64:ff9b:0:0:0:0:a00:0/104, 2002:a00:0:0:0:0:0:0/24, 64:ff9b:0:0:0:0:ac10:0/108, 2002:ac10:0:0:0:0:0:0/28, 64:ff9b:0:0:0:0:c0a8:0/112, 2002:c0a8:0:0:0:0:0:0/32, 64:ff9b:0:0:0:0:6440:0/106, 2002:6440:0:0:0:0:0:0/26, 64:ff9b:0:0:0:0:a9fe:0/112, 2002:a9fe:0:0:0:0:0:0/32, 64:ff9b:0:0:0:0:c000:0/120, 2002:c000:0:0:0:0:0:0/40, 64:ff9b:0:0:0:0:c612:0/111, 2002:c612:0:0:0:0:0:0/31, 64:ff9b:0:0:0:0:ffff:ffff/128, 2002:ffff:ffff:0:0:0:0:0/48, 64:ff9b:0:0:0:0:e000:0/100, 2002:e000:0:0:0:0:0:0/20, 64:ff9b:0:0:0:0:f000:0/100, 2002:f000:0:0:0:0:0:0/20 } jump deny_egress
                    ip daddr @a4 accept
                    ip daddr . tcp dport @a4p accept
                    ip6 daddr @a6 accept
                    ip6 daddr . tcp dport @a6p accept
                    jump deny_egress
                  }
                  chain deny_egress {
                    counter name dropped_egress
                    meta l4proto tcp reject with tcp reset
                    reject with icmpx admin-prohibited
                  }
                  chain deny_host {
                    counter name dropped_host
                    meta l4proto tcp reject with tcp reset
                    reject with icmpx admin-prohibited
                  }
                  chain input {
                    type filter hook input priority filter - 10; policy drop;
                    iif "lo" accept
                    ct state established,related accept
                    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept
                    tcp dport { 8080 } accept
                    udp dport { 5000 } accept
                  }
                }
                """);
    }

    @Test
    void aDefaultAllowPolicyStillConsultsDeniedPortsOfNamesForbiddenClassesMetadataAndTheHost() throws Exception {
        // when
        String output = chain(ruleset(denyAndAllow(), true).create(), "output");

        // then: only the deny-by-default lines differ; every deny stays, in the same order
        assertThat(output).containsSubsequence("ip daddr { 10.89.6.1/32, 10.89.6.0/24, 192.0.2.7/32 } jump deny_host",
                "ip daddr 203.0.113.128/25 meta l4proto { tcp, udp, udplite, sctp, dccp } th dport { 25 } jump deny_egress",
                "ip daddr { 169.254.169.254/32, 100.100.100.200/32, 168.63.129.16/32, 192.0.0.192/32 } jump deny_egress",
                "meta l4proto { tcp, udp, udplite, sctp, dccp } ip daddr . th dport @d4p jump deny_egress",
                "ip daddr { 0.0.0.0/8, 127.0.0.0/8, 10.0.0.0/8,", "ip6 daddr { 0:0:0:0:0:0:0:0/96,", "    accept\n  }");
        assertThat(output).doesNotContain("@a4").doesNotContain("meta l4proto != tcp").doesNotContain("dport 853");
    }

    @Test
    void aCidrDenyWithPortsStopsUdpAndOtherTransportsNotOnlyTcp() throws Exception {
        // when
        String output = chain(ruleset(List.of(new NftRuleset.CidrRule(false, "198.51.100.0/24", false, List.of(443))),
                true).create(), "output");

        // then
        assertThat(output).contains(
                "    ip daddr 198.51.100.0/24 meta l4proto { tcp, udp, udplite, sctp, dccp } th dport { 443 } jump deny_egress\n");
    }

    @Test
    void aCidrDenyWithoutPortsStopsEveryProtocol() throws Exception {
        // when
        String output = chain(ruleset(List.of(new NftRuleset.CidrRule(false, "2001:db8::/32", true, List.of())),
                true).create(), "output");

        // then
        assertThat(output).contains("    ip6 daddr 2001:db8::/32 jump deny_egress\n");
    }

    @Test
    void onlyASingleHostAllowCidrNamingAMetadataEndpointTakesItOutOfTheMetadataRule() throws Exception {
        // given
        List<NftRuleset.CidrRule> single = List.of(new NftRuleset.CidrRule(true, "169.254.169.254/32", false, List.of()));
        List<NftRuleset.CidrRule> wide = List.of(new NftRuleset.CidrRule(true, "169.254.0.0/16", false, List.of()));

        // when
        String singleScript = ruleset(single, false).create();
        String wideScript = ruleset(wide, false).create();

        // then
        assertThat(singleScript).contains(
                "    ip daddr { 100.100.100.200/32, 168.63.129.16/32, 192.0.0.192/32 } jump deny_egress\n");
        assertThat(wideScript).contains("    ip daddr { 169.254.169.254/32, 100.100.100.200/32, 168.63.129.16/32, "
                + "192.0.0.192/32 } jump deny_egress\n");
    }

    @Test
    void withoutPublishedPortsNothingNewComesIn() throws Exception {
        // when
        String input = chain(new NftRuleset(TABLE, InetAddress.getByName("10.0.2.2"), 40053, List.of(), List.of(), false,
                List.of()).create(), "input");

        // then
        assertThat(input).isEqualTo("""
                  chain input {
                    type filter hook input priority filter - 10; policy drop;
                    iif "lo" accept
                    ct state established,related accept
                    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept
                  }
                """);
    }

    @Test
    void theRootlessInterceptorIsReachedThroughSlirpsHostAlias() throws Exception {
        // when
        String redirect = chain(new NftRuleset(TABLE, InetAddress.getByName("10.0.2.2"), 41234,
                List.of(Cidr.parse("10.0.2.0/24")), List.of(), false, List.of()).create(), "dns_redirect");

        // then
        assertThat(redirect).isEqualTo("""
                  chain dns_redirect {
                    type nat hook output priority -110; policy accept;
                    oif "lo" return
                    meta nfproto ipv4 udp dport 53 dnat ip to 10.0.2.2:41234
                    meta nfproto ipv4 tcp dport 53 dnat ip to 10.0.2.2:41234
                  }
                """);
    }

    @Test
    void learnedAddressesAreAddedWithTheirTimeoutToTheRightSet() throws Exception {
        // given
        NftRuleset r = ruleset(List.of(), false);

        // when
        String any = r.addElements(List.of(InetAddress.getByName("198.51.100.7"), InetAddress.getByName("2001:db8::1")),
                List.of(), Duration.ofSeconds(90));
        String ports = r.addElements(List.of(InetAddress.getByName("198.51.100.7")), List.of(443, 8443),
                Duration.ofMillis(1500));

        // then
        assertThat(any).isEqualTo("add element inet " + TABLE + " a4 { 198.51.100.7 timeout 90s }; "
                + "add element inet " + TABLE + " a6 { 2001:db8:0:0:0:0:0:1 timeout 90s };");
        assertThat(ports).isEqualTo("add element inet " + TABLE + " a4p { 198.51.100.7 . 443 timeout 1s, "
                + "198.51.100.7 . 8443 timeout 1s };");
    }

    @Test
    void aRefreshSetsTheTimeoutOfNewAndExistingElementsInOneTransaction() throws Exception {
        // when
        String refresh = ruleset(List.of(), false).refresh("a4p", List.of("198.51.100.7 . 443", "198.51.100.8 . 443"),
                Duration.ofSeconds(300));

        // then
        assertThat(refresh).isEqualTo("add element inet " + TABLE + " a4p { 198.51.100.7 . 443 timeout 300s, "
                + "198.51.100.8 . 443 timeout 300s }; delete element inet " + TABLE + " a4p { 198.51.100.7 . 443, "
                + "198.51.100.8 . 443 }; add element inet " + TABLE + " a4p { 198.51.100.7 . 443 timeout 300s, "
                + "198.51.100.8 . 443 timeout 300s };");
    }

    @Test
    void elementKeysAndSetsComeFromAddressObjects() throws Exception {
        // given
        InetAddress v4 = InetAddress.getByName("198.51.100.7");
        InetAddress v6 = InetAddress.getByName("2001:db8::1");

        // then
        assertThat(NftRuleset.key(v4, 0)).isEqualTo("198.51.100.7");
        assertThat(NftRuleset.key(v6, 443)).isEqualTo("2001:db8:0:0:0:0:0:1 . 443");
        assertThat(List.of(NftRuleset.setFor(v4, false, false), NftRuleset.setFor(v4, true, false),
                NftRuleset.setFor(v6, true, true), NftRuleset.setFor(v6, false, false)))
                .containsExactly("a4", "a4p", "d6p", "a6");
    }

    @Test
    void namesAndValuesThatCouldInjectRulesAreRejected() throws Exception {
        InetAddress dns = InetAddress.getByName("10.0.0.1");
        assertThatThrownBy(() -> new NftRuleset("other; flush ruleset", dns, 53, List.of(), List.of(), false, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NftRuleset(TABLE, InetAddress.getByName("::1"), 53, List.of(), List.of(), false,
                List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NftRuleset.CidrRule(true, "1.2.3.4/32 accept", false, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NftRuleset.Inbound("icmp", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ruleset(List.of(), false).refresh("host4", List.of("1.2.3.4"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCutOffTableDropsEverythingAheadOfEveryOtherRule() {
        assertThat(NftRuleset.cutOff()).isEqualTo("""
                table inet sandbox4j_cut_off {
                  chain output {
                    type filter hook output priority -400; policy drop;
                  }
                  chain input {
                    type filter hook input priority -400; policy drop;
                  }
                }
                """);
    }
}
