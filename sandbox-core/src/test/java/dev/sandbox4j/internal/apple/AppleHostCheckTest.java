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
        assertThat(problems).singleElement().asString().contains("macOS 15.5 is too old").contains("upgrade macOS");
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
}
