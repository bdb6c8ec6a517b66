package dev.sandbox4j.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one egress grammar: accepted spellings and their canonical form, and rejections that say how to fix them. */
class EgressTextTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "allow example.com                  | allow example.com",
            "ALLOW\tExample.COM.                | allow example.com",
            "  deny   *.Example.com:443,80,443  | deny *.example.com:80,443",
            "allow **.bücher.example            | allow **.xn--bcher-kva.example",
            "allow _dmarc.example.com           | allow _dmarc.example.com",
            "allow-cidr 203.0.113.0/24:443      | allow-cidr 203.0.113.0/24:443",
            "allow-cidr 203.0.113.7:443,80      | allow-cidr 203.0.113.7/32:80,443",
            "deny-cidr 203.0.113.7              | deny-cidr 203.0.113.7/32",
            "deny-cidr 2001:db8::/32:443        | deny-cidr 2001:db8:0:0:0:0:0:0/32:443",
            "allow-cidr 2001:db8::1             | allow-cidr 2001:db8:0:0:0:0:0:1/128"})
    void acceptedSpellingsPrintInCanonicalForm(String written, String canonical) {
        // when
        EgressRule rule = EgressRule.parse(written);

        // then
        assertThat(rule).hasToString(canonical);
        assertThat(EgressRule.parse(canonical)).isEqualTo(rule);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "allow example.com:8000-8100        | port range '8000-8100' is not supported",
            "allow 2001:db8::1                  | looks like an IPv6 address",
            "allow example.com:0                | port '0' is not a number 1..65535",
            "allow example.com:                 | port '' is not a number",
            "allow example.com:٤٤٣              | is not a number 1..65535",
            "permit example.com                 | it starts with 'permit'",
            "allow                              | a keyword and one target",
            "allow a.example b.example          | a keyword and one target",
            "allow *.com                        | covers the public suffix 'com'",
            "allow-cidr 203.0.113.7/24          | has host bits set",
            "allow-cidr example.com             | is not an IP address"})
    void rejectedRulesNameTheRuleAndTheFix(String written, String message) {
        assertThatThrownBy(() -> EgressRule.parse(written))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageStartingWith("egress rule '" + written.strip() + "'")
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:5353    | 127.0.0.1       | 5353",
            "192.0.2.53        | 192.0.2.53      | 53",
            "[2001:db8::53]:54 | 2001:db8::53    | 54",
            "[::1]             | ::1             | 53",
            "2001:db8::53      | 2001:db8::53    | 53"})
    void upstreamsTakeAnOptionalPort(String written, String address, int port) {
        assertThat(EgressPolicy.parseUpstream(written)).isEqualTo(new InetSocketAddress(address, port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dns.example.com:53", "127.0.0.1:0", "127.0.0.1:65536", "[::1", "[::1]53", "",
            "127.0.0.01:53", "::ffff:192.0.2.1"})
    void upstreamsOtherThanIpLiteralsAreRejected(String written) {
        assertThatThrownBy(() -> EgressPolicy.parseUpstream(written))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("must be an IP address with an optional port");
    }
}
