package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppleHostCheckTest {

    @Test
    void appleSiliconMacOn26WithVirtualizationHasNoProblems() {
        assertThat(AppleHostCheck.problems(FakeHostFacts.goodMac())).isEmpty();
    }

    @Test
    void macOs15IsRefusedWithTheUpgradeToDo() {
        // given
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.strings.put("kern.osproductversion", "15.5");

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).singleElement().asString().contains("macOS 15.5 (from kern.osproductversion) is too old").contains("upgrade macOS");
    }

    @Test
    void intelMacIsRefusedAndPointedAtPodman() {
        // given
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.longs.remove("hw.optional.arm64");

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).singleElement().asString().contains("Apple silicon").contains("podman");
    }

    @Test
    void rosettaTranslatedJvmIsToldToUseAnArm64Jdk() {
        // given
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.longs.put("sysctl.proc_translated", 1L);

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).singleElement().asString().contains("Rosetta").contains("arm64 JDK");
    }

    @Test
    void missingVirtualizationSupportIsReported() {
        // given
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.virtualization = false;

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).singleElement().asString().contains("VZVirtualMachine.isSupported").contains("physical Mac");
    }

    @Test
    void everyProblemIsListedAtOnce() {
        // given
        FakeHostFacts facts = new FakeHostFacts();
        facts.strings.put("kern.osproductversion", "14.6");
        facts.longs.put("sysctl.proc_translated", 1L);

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).hasSize(3);
    }

    @Test
    void factsThatCannotBeReadBecomeAProblemNotAnException() {
        // given
        FakeHostFacts facts = new FakeHostFacts() {
            @Override
            public Optional<String> sysctlString(String name) {
                throw new UnsatisfiedLinkError("no libc");
            }
        };

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).singleElement().asString().contains("hostChecks=false");
    }

    @Test
    void limitsComeFromVirtualizationFrameworkAndPhysicalMemory() {
        // given
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.maxCpus = 8;
        facts.maxMemory = 16L << 30;

        // when
        AppleHostCheck.Limits limits = AppleHostCheck.limits(facts);

        // then
        assertThat(limits).isEqualTo(new AppleHostCheck.Limits(8, 16L << 30, 32L << 30));
    }

    @Test
    void jdkBuiltWithAnOlderSdkOnMacOs26IsNotCalledTooOld() {
        // given: the kernel answers 16.1 to this JVM (compat shim on), the platform plist says 26.1
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.strings.put("kern.osproductversion", "16.1");
        facts.strings.put("kern.osproductversioncompat", "16.1");
        facts.longs.put("kern.system_version_compat", 1L);
        facts.files.put(dev.sandbox4j.internal.MacOsVersion.PLATFORM_PLIST,
                platformPlist());

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).isEmpty();
    }

    @Test
    void jdkBuiltWithAnOlderSdkOnMacOs15IsStillRefusedSayingWhereTheVersionCameFrom() {
        // given: macOS 15.5 (Darwin 24.5.0), a pre-11-SDK binary gets 10.16, no platform plist readable
        FakeHostFacts facts = FakeHostFacts.goodMac();
        facts.strings.put("kern.osproductversion", "10.16");
        facts.strings.put("kern.osproductversioncompat", "10.16");
        facts.longs.put("kern.system_version_compat", 1L);
        facts.strings.put("kern.osrelease", "24.5.0");

        // when
        List<String> problems = AppleHostCheck.problems(facts);

        // then
        assertThat(problems).singleElement().asString().contains("macOS 15 (from kern.osrelease (Darwin 24.5.0))")
                .contains("upgrade macOS");
    }

    /** {@code src/test/resources/macos/system-version-platform-26.1.plist} without its provenance header. */
    private static String platformPlist() {
        try (java.io.InputStream in = AppleHostCheckTest.class
                .getResourceAsStream("/macos/system-version-platform-26.1.plist")) {
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return text.substring(text.indexOf("\n---\n") + 5);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
