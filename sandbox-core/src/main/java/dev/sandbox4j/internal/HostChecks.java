package dev.sandbox4j.internal;

import dev.sandbox4j.ImageSource;
import dev.sandbox4j.MemorySize;
import dev.sandbox4j.Mount;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.HostEnvironment;
import java.nio.file.Files;

/**
 * The checks of a spec against the machine it is about to start on: files it names exist, limits fit the host.
 * They run at start time, not when the spec is built, so a {@link SandboxSpec} is a value that reads nothing
 * from the host and may be built on one machine and started on another.
 */
final class HostChecks {
    private HostChecks() {
    }

    /** Throws {@link SandboxConfigException}, naming the value and the fix, for the first check that fails. */
    static void check(SandboxSpec spec, HostEnvironment host) {
        if (spec.image() instanceof ImageSource.Build build) {
            if (!Files.isDirectory(build.context())) {
                throw new SandboxConfigException("build context " + build.context() + " is not a directory: create "
                        + "it or pass the directory that holds the Dockerfile");
            }
            if (!Files.isRegularFile(build.dockerfile())) {
                throw new SandboxConfigException("Dockerfile " + build.dockerfile() + " does not exist: create it or "
                        + "name the right file with dockerfile(context, file)");
            }
        }
        for (Mount m : spec.mounts()) {
            if (!Files.exists(m.source())) {
                throw new SandboxConfigException("mount source " + m.source() + " does not exist: create it first "
                        + "(Files.createDirectories) or fix the path");
            }
        }
        if (spec.cpus() > host.cpuCount()) {
            throw new SandboxConfigException("cpus " + spec.cpus() + " is more than this host has (" + host.cpuCount()
                    + "): ask for at most " + host.cpuCount());
        }
        if (spec.memory().isPresent() && host.physicalMemory() > 0
                && spec.memory().get().bytes() > host.physicalMemory()) {
            throw new SandboxConfigException("memory " + spec.memory().get() + " is more than this host has ("
                    + MemorySize.ofBytes(host.physicalMemory()) + "): ask for less");
        }
    }
}
