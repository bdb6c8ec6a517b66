package dev.sandbox4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The macOS version behind {@code HostEnvironment.osVersion()} and the Apple host check, for both kinds of JDK:
 * built with the macOS 26 SDK (the kernel tells the truth) and with an older SDK (the kernel and the
 * {@code SystemVersion.plist} redirect answer with the compatibility version). The sysctl answers follow xnu
 * {@code bsd/kern/kern_sysctl.c} ({@code sysctl_osproductversion}); the plist is
 * {@code src/test/resources/macos/system-version-platform-26.1.plist}.
 */
class HostEnvironmentMacOsVersionTest {
    private static final String PLATFORM_PLIST = platformPlist();

    private static String platformPlist() {
        try (InputStream in = HostEnvironmentMacOsVersionTest.class
                .getResourceAsStream("/macos/system-version-platform-26.1.plist")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.substring(text.indexOf("\n---\n") + 5);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** macOS 26.1 (Darwin 25.1.0) as seen by a process built with the macOS 26 SDK: no compat shim. */
    private static FakeMac tahoeNewSdk() {
        FakeMac m = new FakeMac();
        m.strings.put("kern.osproductversion", "26.1");
        m.strings.put("kern.osproductversioncompat", "16.1");
        m.longs.put("kern.system_version_compat", 0L);
        m.strings.put("kern.osrelease", "25.1.0");
        m.files.put(MacOsVersion.PLATFORM_PLIST, PLATFORM_PLIST);
        return m;
    }

    /** The same Mac as seen by a JDK built with an older SDK: the shim is on and the kernel answers 16.1. */
    private static FakeMac tahoeOldSdk() {
        FakeMac m = tahoeNewSdk();
        m.strings.put("kern.osproductversion", "16.1");
        m.longs.put("kern.system_version_compat", 1L);
        return m;
    }

    @Test
    void jdkBuiltWithTheMacOs26SdkGetsTheProductVersionFromTheKernel() {
        // when
        Optional<MacOsVersion.Reading> v = MacOsVersion.read(tahoeNewSdk());

        // then
        assertThat(v).hasValueSatisfying(r -> {
            assertThat(r.version()).isEqualTo("26.1");
            assertThat(r.how()).isEqualTo("kern.osproductversion");
        });
    }

    @Test
    void jdkBuiltWithAnOlderSdkGetsTheRealVersionFromThePlatformPlistNotThe16Answer() {
        // when
        Optional<MacOsVersion.Reading> v = MacOsVersion.read(tahoeOldSdk());

        // then
        assertThat(v).hasValueSatisfying(r -> {
            assertThat(r.version()).isEqualTo("26.1");
            assertThat(r.major()).isEqualTo(26);
            assertThat(r.how()).contains(".SystemVersionPlatform.plist").contains("compat version 16.1");
        });
    }

    @Test
    void compatAnswerIsRecognisedByItsValueWhenTheShimFlagCannotBeRead() {
        // given
        FakeMac m = tahoeOldSdk();
        m.longs.remove("kern.system_version_compat");

        // when
        Optional<MacOsVersion.Reading> v = MacOsVersion.read(m);

        // then
        assertThat(v.map(MacOsVersion.Reading::version)).hasValue("26.1");
    }

    @Test
    void withoutThePlatformPlistTheDarwinReleaseGivesTheMajorVersion() {
        // given
        FakeMac m = tahoeOldSdk();
        m.files.clear();

        // when
        Optional<MacOsVersion.Reading> v = MacOsVersion.read(m);

        // then
        assertThat(v).hasValueSatisfying(r -> {
            assertThat(r.version()).isEqualTo("26");
            assertThat(r.how()).contains("Darwin 25.1.0");
        });
    }

    @Test
    void bigSurEraCompatAnswerOf1016IsSeenThroughToo() {
        // given: macOS 15.5 (Darwin 24.5.0) and a binary built with a pre-11 SDK
        FakeMac m = new FakeMac();
        m.strings.put("kern.osproductversion", "10.16");
        m.strings.put("kern.osproductversioncompat", "10.16");
        m.longs.put("kern.system_version_compat", 1L);
        m.strings.put("kern.osrelease", "24.5.0");

        // when
        Optional<MacOsVersion.Reading> v = MacOsVersion.read(m);

        // then
        assertThat(v.map(MacOsVersion.Reading::major)).hasValue(15);
    }

    @Test
    void darwinReleasesMapToMacOsMajorVersionsAcrossTheJumpTo26() {
        assertThat(MacOsVersion.fromDarwin("20.6.0")).hasValue(11);
        assertThat(MacOsVersion.fromDarwin("24.5.0")).hasValue(15);
        assertThat(MacOsVersion.fromDarwin("25.0.0")).hasValue(26);
        assertThat(MacOsVersion.fromDarwin("26.0.0")).hasValue(27);
        assertThat(MacOsVersion.fromDarwin("19.6.0")).isEmpty();
        assertThat(MacOsVersion.fromDarwin("garbage")).isEmpty();
    }

    @Test
    void nothingReadableIsEmptyNotAGuess() {
        assertThat(MacOsVersion.read(new FakeMac())).isEmpty();
    }
}
