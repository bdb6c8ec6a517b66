package dev.sandbox4j.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Wildcards on the suffixes of the bundled Public Suffix List (ICANN and private sections) are rejected when a
 * policy is built, with the suffix named; wildcards on domains that one owner holds are accepted beside them.
 */
class PublicSuffixesTest {

    @ParameterizedTest
    @CsvSource({
            "'**.hf.space', hf.space",
            "'*.hf.space', hf.space",
            "'**.ts.net', ts.net",
            "'*.github.io', github.io",
            "'**.pages.dev', pages.dev",
            "'*.co.uk', co.uk",
            "'**.com', com",
            "'*.s3.amazonaws.com', s3.amazonaws.com",
            "'*.anything.ck', anything.ck",
            "'*.nøtterøy.no', xn--nttery-byae.no",
            "'**.公司.cn', xn--55qx5d.cn",
            "'*.unlisted-tld', unlisted-tld"})
    void wildcardOnAPublicSuffixIsRejectedNamingTheSuffix(String pattern, String suffix) {
        assertThatThrownBy(() -> EgressPolicy.denyAll().allow(pattern))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("covers the public suffix '" + suffix + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"**.my-space.hf.space", "*.my-space.hf.space", "**.tail1234.ts.net",
            "*.octocat.github.io", "**.example.co.uk", "*.www.ck", "**.example.com", "*.bucket.s3.amazonaws.com",
            "hf.space", "ts.net", "co.uk", "*.amazonaws.com"})
    void wildcardOnADomainOfOneOwnerAndExactSuffixesAreAccepted(String pattern) {
        assertThat(EgressPolicy.denyAll().allow(pattern).rules()).hasSize(1);
    }

    @Test
    void anyDepthWildcardAboveAPublicSuffixIsRejectedNamingTheSuffixBelow() {
        // given: amazonaws.com is Amazon's, but s3.amazonaws.com below it holds strangers' buckets
        String pattern = "**.amazonaws.com";

        // when / then
        assertThatThrownBy(() -> EgressPolicy.denyAll().allow(pattern))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("reaches below the public suffix")
                .hasMessageContaining("amazonaws.com'")
                .hasMessageContaining("use '*.amazonaws.com'");
        assertThat(EgressPolicy.denyAll().allow("*.amazonaws.com").rules()).hasSize(1);
    }

    @Test
    void exceptionRulesOfTheListAreHonoured() {
        // given: the list says *.ck and !www.ck
        // when / then
        assertThat(PublicSuffixes.isPublicSuffix(Names.labels("anything.ck"))).isTrue();
        assertThat(PublicSuffixes.isPublicSuffix(Names.labels("www.ck"))).isFalse();
        assertThat(PublicSuffixes.isPublicSuffix(Names.labels("city.kawasaki.jp"))).isFalse();
        assertThat(PublicSuffixes.isPublicSuffix(Names.labels("other.kawasaki.jp"))).isTrue();
    }

    @Test
    void theBundledListIsTheWholeUpstreamFileWithItsVersion() throws IOException {
        // given
        String text;
        try (InputStream in = PublicSuffixes.class.getResourceAsStream(PublicSuffixes.RESOURCE)) {
            assertThat(in).as("bundled resource").isNotNull();
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        // when / then: both sections, the licence header, and every rule loaded
        assertThat(text).startsWith("// This Source Code Form is subject to the terms of the Mozilla Public")
                .contains("===BEGIN ICANN DOMAINS===", "===END ICANN DOMAINS===", "===BEGIN PRIVATE DOMAINS===",
                        "===END PRIVATE DOMAINS===");
        long ruleLines = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("//")).count();
        assertThat(PublicSuffixes.ruleCount()).isEqualTo(ruleLines).isGreaterThan(9000);
        assertThat(PublicSuffixes.version()).hasValueSatisfying(v -> assertThat(v).matches("\\d{4}-\\d{2}-\\d{2}_.*"));
    }
}
