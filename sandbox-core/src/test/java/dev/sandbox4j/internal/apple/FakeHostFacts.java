package dev.sandbox4j.internal.apple;

import dev.sandbox4j.internal.FakeMac;

/** Host facts from maps: what a given Mac would report, without a Mac. */
class FakeHostFacts extends FakeMac implements AppleHostFacts {
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
