package dev.sandbox4j.internal.apple;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Host facts from a map: what a given Mac would report, without a Mac. */
class FakeHostFacts implements AppleHostFacts {
    final Map<String, String> strings = new HashMap<>();
    final Map<String, Long> longs = new HashMap<>();
    final Map<String, String> files = new HashMap<>();
    boolean virtualization = true;
    long maxCpus = 10;
    long maxMemory = 32L << 30;

    /** An M-series Mac on macOS 26.1 with 10 CPUs and 32 GiB, native JVM. */
    static FakeHostFacts goodMac() {
        FakeHostFacts f = new FakeHostFacts();
        f.strings.put("kern.osproductversion", "26.1");
        f.longs.put("hw.optional.arm64", 1L);
        f.longs.put("sysctl.proc_translated", 0L);
        f.longs.put("hw.memsize", 32L << 30);
        return f;
    }

    @Override
    public Optional<String> sysctlString(String name) {
        return Optional.ofNullable(strings.get(name));
    }

    @Override
    public Optional<Long> sysctlLong(String name) {
        return Optional.ofNullable(longs.get(name));
    }

    @Override
    public Optional<String> readFile(String path) {
        return Optional.ofNullable(files.get(path));
    }

    @Override
    public boolean virtualizationSupported() {
        return virtualization;
    }

    @Override
    public long maximumAllowedCpuCount() {
        return maxCpus;
    }

    @Override
    public long maximumAllowedMemorySize() {
        return maxMemory;
    }
}
