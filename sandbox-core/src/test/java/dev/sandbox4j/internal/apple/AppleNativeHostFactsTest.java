package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.internal.MacOsVersion;
import dev.sandbox4j.internal.NativeHost;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The host facts read through JNA on a real Mac (skipped elsewhere): sysctls through {@code sysctlbyname}, the
 * Virtualization.framework class properties through {@code objc_msgSend}, and the macOS version as this JVM sees
 * it and as Sandbox4j corrects it. {@code scripts/verify-on-mac.sh} runs it with
 * {@code -Dsandbox4j.mac.productVersion=$(sw_vers -productVersion)} (sw_vers is built with the current SDK, so it
 * is told the truth) and pastes {@code target/mac-host-facts.txt} into its report.
 */
@EnabledOnOs(value = OS.MAC, disabledReason = "reads the host facts of a real Mac")
class AppleNativeHostFactsTest {
    private static final Path REPORT = Path.of("target/mac-host-facts.txt");

    @Test
    void nativeFactsOfThisMacAreReadableAndConsistent() throws IOException {
        // given
        AppleHostFacts facts = AppleHostFacts.NATIVE;
        Map<String, String> seen = new LinkedHashMap<>();
        for (String key : new String[] {"kern.osproductversion", "kern.osproductversioncompat", "kern.osrelease",
                "kern.osversion", "machdep.cpu.brand_string"}) {
            seen.put(key, facts.sysctlString(key).orElse("(absent)"));
        }
        for (String key : new String[] {"kern.system_version_compat", "hw.optional.arm64", "sysctl.proc_translated",
                "hw.ncpu", "hw.memsize"}) {
            seen.put(key, facts.sysctlLong(key).map(String::valueOf).orElse("(absent)"));
        }
        seen.put("java os.version", System.getProperty("os.version"));
        seen.put("java.version / vendor", System.getProperty("java.version") + " / " + System.getProperty("java.vendor"));
        seen.put(MacOsVersion.PLATFORM_PLIST + " readable", Boolean.toString(
                facts.readFile(MacOsVersion.PLATFORM_PLIST).isPresent()));

        // when
        Optional<MacOsVersion.Reading> version = AppleHostCheck.macOsVersion(facts);
        Optional<MacOsVersion.Reading> viaNativeHost = MacOsVersion.read(NativeHost.Darwin.SOURCE);
        boolean vz = facts.virtualizationSupported();
        long maxCpus = facts.maximumAllowedCpuCount();
        long maxMemory = facts.maximumAllowedMemorySize();
        seen.put("Sandbox4j macOS version", version.map(v -> v.version() + " (from " + v.how() + ")").orElse("(none)"));
        seen.put("HostEnvironment.osVersion()", HostEnvironment.current().osVersion());
        seen.put("VZVirtualMachine.isSupported", Boolean.toString(vz));
        seen.put("VZVirtualMachineConfiguration.maximumAllowedCPUCount", Long.toString(maxCpus));
        seen.put("VZVirtualMachineConfiguration.maximumAllowedMemorySize", Long.toString(maxMemory));
        seen.put("AppleHostCheck.problems", AppleHostCheck.problems(facts).toString());
        StringBuilder report = new StringBuilder();
        seen.forEach((k, v) -> report.append(k).append(" = ").append(v).append('\n'));
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report.toString());

        // then
        assertThat(version).isPresent();
        assertThat(viaNativeHost.map(MacOsVersion.Reading::version)).isEqualTo(version.map(MacOsVersion.Reading::version));
        String expected = System.getProperty("sandbox4j.mac.productVersion", "");
        if (!expected.isBlank()) {
            assertThat(version.get().major()).as("major version against sw_vers").isEqualTo(
                    Integer.parseInt(expected.strip().split("\\.")[0]));
            assertThat(HostEnvironment.current().osVersion()).startsWith(expected.strip().split("\\.")[0]);
        }
        assertThat(seen.get("hw.optional.arm64")).isEqualTo("1");
        assertThat(seen.get("sysctl.proc_translated")).isNotEqualTo("1");
        assertThat(vz).as("VZVirtualMachine.isSupported").isTrue();
        assertThat(maxCpus).as("maximumAllowedCPUCount").isPositive();
        assertThat(maxMemory).as("maximumAllowedMemorySize").isPositive();
    }
}
