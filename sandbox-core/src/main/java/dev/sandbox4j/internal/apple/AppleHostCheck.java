package dev.sandbox4j.internal.apple;

import dev.sandbox4j.internal.MacOsVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure checks of {@link AppleHostFacts}: whether Apple's {@code container} can run here, each failure phrased
 * with what the user must change, and the VM limits {@code validate(spec)} checks against.
 */
public final class AppleHostCheck {
    /** macOS 26 is the release container supports; 15 lacks networks, which per-sandbox egress control needs. */
    public static final int MINIMUM_MACOS = 26;

    private AppleHostCheck() {
    }

    /** What the VM of one container may use on this host. */
    public record Limits(long maxCpus, long maxMemoryBytes, long physicalMemoryBytes) {
    }

    /** Every reason container cannot run here; empty when it can. Never throws. */
    public static List<String> problems(AppleHostFacts facts) {
        List<String> problems = new ArrayList<>();
        try {
            Optional<MacOsVersion.Reading> version = macOsVersion(facts);
            int major = version.map(MacOsVersion.Reading::major).orElse(-1);
            if (major < MINIMUM_MACOS) {
                problems.add("macOS " + version.map(v -> v.version() + " (from " + v.how() + ")")
                        .orElse("(unknown version)") + " is too old: Apple's container needs macOS " + MINIMUM_MACOS
                        + " (Tahoe) or later; upgrade macOS");
            }
            if (facts.sysctlLong("hw.optional.arm64").orElse(0L) != 1L) {
                problems.add("this Mac has no Apple silicon (hw.optional.arm64 is not 1): Apple's container runs "
                        + "only on M-series Macs; use the podman runtime on an Intel Mac");
            }
            if (facts.sysctlLong("sysctl.proc_translated").orElse(0L) == 1L) {
                problems.add("this JVM runs under Rosetta translation (sysctl.proc_translated = 1), which container "
                        + "refuses: install and run an arm64 JDK (and an arm64 terminal/IDE)");
            }
            if (problems.isEmpty() && !facts.virtualizationSupported()) {
                problems.add("Virtualization.framework reports no VM support (VZVirtualMachine.isSupported is "
                        + "false), e.g. inside a VM without nested virtualization: run on a physical Mac");
            }
        } catch (RuntimeException | LinkageError e) {
            problems.add("could not read host facts (" + e + "): set -Dsandbox4j.container.hostChecks=false to "
                    + "skip the checks if you know the host is suitable");
        }
        return problems;
    }

    /** The limits of one VM: Virtualization.framework's maxima and the physical memory. */
    public static Limits limits(AppleHostFacts facts) {
        return new Limits(facts.maximumAllowedCpuCount(), facts.maximumAllowedMemorySize(),
                facts.sysctlLong("hw.memsize").orElse(0L));
    }

    /**
     * The real macOS version: {@code kern.osproductversion} unless this JVM gets the compatibility answer (16.x on
     * macOS 26 for JDKs built with an older SDK), see {@link MacOsVersion}.
     */
    public static Optional<MacOsVersion.Reading> macOsVersion(AppleHostFacts facts) {
        return MacOsVersion.read(facts);
    }
}
