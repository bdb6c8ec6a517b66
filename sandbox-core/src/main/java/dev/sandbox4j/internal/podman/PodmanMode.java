package dev.sandbox4j.internal.podman;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How Podman runs for this JVM: rootless when the JVM's effective user is not root (Podman then keeps its own
 * per-user storage and networking), and whether the host has the unified cgroup v2 hierarchy. Read from
 * {@code /proc/self/status} and {@code /sys/fs/cgroup}: no Podman call, so it costs nothing at start.
 *
 * @param rootless the JVM's effective uid is not 0
 * @param cgroupV2 {@code /sys/fs/cgroup} is a cgroup v2 mount (it has {@code cgroup.controllers})
 */
public record PodmanMode(boolean rootless, boolean cgroupV2) {
    public static final PodmanMode ROOTFUL = new PodmanMode(false, true);

    /** The mode of this process on this host. */
    public static PodmanMode current() {
        return new PodmanMode(effectiveUid(Path.of("/proc/self/status")).map(uid -> uid != 0).orElse(false),
                Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")));
    }

    /** The effective uid from a {@code /proc/<pid>/status} file ({@code Uid: real effective saved fs}). */
    static Optional<Long> effectiveUid(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 ? Optional.of(Long.parseLong(f[1])) : Optional.empty();
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Whether Podman enforces CPU and memory limits in this mode. Rootless Podman on a cgroup v1 host ignores
     * them with only a warning ("Resource limits are not supported and ignored on cgroups V1 rootless systems").
     */
    public boolean enforcesLimits() {
        return !rootless || cgroupV2;
    }

    @Override
    public String toString() {
        return (rootless ? "rootless" : "rootful") + ", cgroup " + (cgroupV2 ? "v2" : "v1");
    }
}
