package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppleCliVersionTest {

    @Test
    void everyCapturedVersionBannerWithANumberIsRead() {
        // given
        List<String> lines = Fixture.load("captured/version-strings.txt").payload().lines().toList();

        // when
        List<String> read = lines.stream().filter(l -> !l.contains("version  (")).map(l -> AppleCliVersion.fromBanner(l).toString())
                .toList();

        // then
        assertThat(read).containsExactly("0.1.0", "0.2.0", "0.4.1", "0.5.0", "0.6.0", "1.0.0", "1.2.2", "1.3.0", "1.2.1");
    }

    @Test
    void bannerWithoutVersionNumberSaysToInstallARelease() {
        assertThatThrownBy(() -> AppleCliVersion.fromBanner("container CLI version  (build: release, commit: )"))
                .isInstanceOf(SandboxException.class).hasMessageContaining("release build");
    }

    @Test
    void versionsCompareNumericallyAndDevSuffixesAreIgnored() {
        assertThat(AppleCliVersion.parse("0.10.0")).isGreaterThan(AppleCliVersion.parse("0.9.0"));
        assertThat(AppleCliVersion.parse("0.9.0-33-g1942a39")).isEqualTo(AppleCliVersion.parse("0.9.0"));
        assertThat(AppleCliVersion.parse("1.0")).isEqualTo(new AppleCliVersion(1, 0, 0));
        assertThat(AppleCliVersion.fromBanner("container CLI version 0.9.0-33-g1942a39 (build: debug, commit: 1942a39)"))
                .isEqualTo(new AppleCliVersion(0, 9, 0));
    }

    @Test
    void featureGateNamesTheReleaseThatIntroducedIt() {
        assertThat(AppleFeature.COPY.supportedBy(AppleCliVersion.parse("1.0.0"))).isTrue();
        assertThat(AppleFeature.COPY.supportedBy(AppleCliVersion.parse("0.12.3"))).isFalse();
        assertThatThrownBy(() -> AppleFeature.CAP_DROP.require(AppleCliVersion.parse("0.11.0"), "egress control"))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessage("egress control needs --cap-add/--cap-drop, which container 0.11.0 lacks: upgrade Apple's "
                        + "container CLI to 0.12.0 or later (https://github.com/apple/container/releases)");
    }
}
