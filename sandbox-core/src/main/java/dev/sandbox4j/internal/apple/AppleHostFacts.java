package dev.sandbox4j.internal.apple;

import dev.sandbox4j.internal.MacOsVersion;
import java.util.Optional;

/**
 * The macOS facts the Apple backend checks before it calls the CLI: sysctls and Virtualization.framework class
 * properties. {@link #NATIVE} reads them through JNA, lazily, on first use; tests give their own values.
 */
public interface AppleHostFacts extends MacOsVersion.Source {
    /** The real machine's facts, read through libc and the Objective-C runtime (macOS only). */
    AppleHostFacts NATIVE = new NativeAppleHostFacts();

    /** A string sysctl such as {@code kern.osproductversion}; empty when the key does not exist. */
    @Override
    Optional<String> sysctlString(String name);

    /** An integer sysctl such as {@code hw.optional.arm64}; empty when the key does not exist. */
    @Override
    Optional<Long> sysctlLong(String name);

    /**
     * A text file of the host, such as {@code /System/Library/CoreServices/.SystemVersionPlatform.plist}; empty
     * when it cannot be read.
     */
    @Override
    Optional<String> readFile(String path);

    /** {@code [VZVirtualMachine isSupported]}. */
    boolean virtualizationSupported();

    /** {@code [VZVirtualMachineConfiguration maximumAllowedCPUCount]}. */
    long maximumAllowedCpuCount();

    /** {@code [VZVirtualMachineConfiguration maximumAllowedMemorySize]}, bytes. */
    long maximumAllowedMemorySize();
}
