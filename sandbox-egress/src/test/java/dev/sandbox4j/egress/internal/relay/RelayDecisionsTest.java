package dev.sandbox4j.egress.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.HostAddressSource;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayDecisionsTest {
    private static final Duration GRACE = Duration.ofSeconds(120);

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LearnedAddresses learned(String name, String address, int ttlSeconds, AllowedPorts ports) {
        return new LearnedAddresses(name + ".", List.of(), List.of(ip(address)), Duration.ofSeconds(ttlSeconds), ports);
    }

    @Test
    void aLearnedAddressIsOpenUntilItsTtlPlusGraceAndNeverBefore() {
        // given
        TestClock clock = new TestClock();
        RelayDecisions d = new RelayDecisions(EgressPolicy.denyAll().allow("a.example"), HostAddressSource.NONE,
                clock, GRACE);

        // when
        boolean before = d.decide(ip("203.0.113.10"), 443).allowed();
        d.learn(learned("a.example", "203.0.113.10", 60, AllowedPorts.ALL));
        boolean during = d.decide(ip("203.0.113.10"), 443).allowed();
        boolean other = d.decide(ip("203.0.113.11"), 443).allowed();
        clock.advance(Duration.ofSeconds(181));
        boolean after = d.decide(ip("203.0.113.10"), 443).allowed();

        // then
        assertThat(before).isFalse();
        assertThat(during).isTrue();
        assertThat(other).isFalse();
        assertThat(after).isFalse();
    }

    @Test
    void aLearnedAddressIsOpenOnlyOnItsNamesPortsAndNeverForDot() {
        // given
        RelayDecisions d = new RelayDecisions(EgressPolicy.denyAll(), HostAddressSource.NONE, new TestClock(), GRACE);
        d.learn(learned("a.example", "203.0.113.10", 60, new AllowedPorts(false, List.of(443))));
        d.learn(learned("b.example", "203.0.113.12", 60, AllowedPorts.ALL));

        // then
        assertThat(d.decide(ip("203.0.113.10"), 443).allowed()).isTrue();
        assertThat(d.decide(ip("203.0.113.10"), 80).allowed()).isFalse();
        assertThat(d.decide(ip("203.0.113.12"), 80).allowed()).isTrue();
        assertThat(d.decide(ip("203.0.113.12"), 853).allowed()).isFalse();
    }

    @Test
    void cidrDenyRulesBeatLearnedAddressesAndCidrAllowRulesOpenTheirPorts() {
        // given
        RelayDecisions d = new RelayDecisions(EgressPolicy.denyAll().denyCidr("203.0.113.10/32")
                .allowCidr("198.51.100.0/24", 80), HostAddressSource.NONE, new TestClock(), GRACE);
        d.learn(learned("a.example", "203.0.113.10", 60, AllowedPorts.ALL));

        // then
        assertThat(d.decide(ip("203.0.113.10"), 443).allowed()).isFalse();
        assertThat(d.decide(ip("198.51.100.7"), 80).allowed()).isTrue();
        assertThat(d.decide(ip("198.51.100.7"), 81).allowed()).isFalse();
    }

    @Test
    void loopbackLinkLocalMetadataAndHostAddressesAreNeverRelayedEvenWhenACidrAllowsEverything() {
        // given
        RelayDecisions d = new RelayDecisions(EgressPolicy.denyAll().allowCidr("0.0.0.0/0").allowCidr("::/0"),
                HostAddressSource.of(List.of(Cidr.parse("192.168.1.20/32"))), new TestClock(), GRACE);

        // then
        assertThat(d.decide(ip("127.0.0.1"), 22).allowed()).isFalse();
        assertThat(d.decide(ip("169.254.169.254"), 80).allowed()).isFalse();
        assertThat(d.decide(ip("::1"), 22).allowed()).isFalse();
        assertThat(d.decide(ip("fe80::1"), 22).allowed()).isFalse();
        assertThat(d.decide(ip("224.0.0.251"), 5353).allowed()).isFalse();
        assertThat(d.decide(ip("192.168.1.20"), 5900).allowed()).isFalse();
        assertThat(d.decide(ip("203.0.113.10"), 443).allowed()).as("positive control").isTrue();
    }

    @Test
    void aDefaultAllowPolicyRelaysWhatNoCidrRuleDenies() {
        // given
        RelayDecisions d = new RelayDecisions(EgressPolicy.allowAll().denyCidr("203.0.113.11/32"),
                HostAddressSource.NONE, new TestClock(), GRACE);

        // then
        assertThat(d.decide(ip("203.0.113.10"), 443).allowed()).isTrue();
        assertThat(d.decide(ip("203.0.113.11"), 443).allowed()).isFalse();
        assertThat(d.decide(ip("127.0.0.1"), 443).allowed()).isFalse();
    }
}
