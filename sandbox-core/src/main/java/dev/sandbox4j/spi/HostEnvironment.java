package dev.sandbox4j.spi;

import dev.sandbox4j.internal.NativeHost;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Facts about the machine Sandbox4j runs on: operating system, architecture, CPUs, physical memory, KVM, and
 * the environment used to find runtime binaries. {@link #current()} reads them once (through JNA where the
 * platform has it, loaded lazily); tests build their own with {@link #of}.
 */
public final class HostEnvironment {

    /** Operating systems Sandbox4j tells apart. */
    public enum Os {
        /** Linux: {@code os.name} contains "linux". */
        LINUX,
        /** macOS: {@code os.name} contains "mac" or "darwin". */
        MACOS,
        /** Windows: {@code os.name} contains "win" and the OS is not one of the above. */
        WINDOWS,
        /** Any operating system not recognised as one of the others. */
        OTHER
    }

    private static volatile HostEnvironment current;

    private final Os os;
    private final String arch;
    private final String osVersion;
    private final int cpuCount;
    private final long physicalMemory;
    private final OptionalInt kvmApiVersion;
    private final Map<String, String> env;

    private HostEnvironment(Os os, String arch, String osVersion, int cpuCount, long physicalMemory,
                            OptionalInt kvmApiVersion, Map<String, String> env) {
        this.os = os;
        this.arch = arch;
        this.osVersion = osVersion;
        this.cpuCount = cpuCount;
        this.physicalMemory = physicalMemory;
        this.kvmApiVersion = kvmApiVersion;
        this.env = Map.copyOf(env);
    }

    /**
     * Facts given explicitly, for tests and for describing another machine. Nothing is read from this host.
     *
     * @param os             the operating system
     * @param arch           the architecture, such as {@code "x86_64"} or {@code "arm64"}
     * @param osVersion      the OS version
     * @param cpuCount       online CPUs
     * @param physicalMemory physical memory in bytes; 0 if unknown
     * @param kvmApiVersion  the KVM API version, or empty where KVM is absent
     * @param env            the environment variables (for {@code PATH} lookups); copied
     * @return the facts
     */
    public static HostEnvironment of(Os os, String arch, String osVersion, int cpuCount, long physicalMemory,
                                     OptionalInt kvmApiVersion, Map<String, String> env) {
        return new HostEnvironment(os, arch, osVersion, cpuCount, physicalMemory, kvmApiVersion, env);
    }

    /** {@return this machine, read once and cached; thread-safe} */
    public static HostEnvironment current() {
        HostEnvironment h = current;
        if (h == null) {
            synchronized (HostEnvironment.class) {
                h = current;
                if (h == null) {
                    h = read();
                    current = h;
                }
            }
        }
        return h;
    }

    private static HostEnvironment read() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Os os = name.contains("linux") ? Os.LINUX : name.contains("mac") || name.contains("darwin") ? Os.MACOS
                : name.contains("win") ? Os.WINDOWS : Os.OTHER;
        String arch = normaliseArch(System.getProperty("os.arch", ""));
        NativeHost.Facts facts = NativeHost.read(os);
        return new HostEnvironment(os, arch, facts.osVersion().orElse(System.getProperty("os.version", "")),
                facts.cpuCount(), facts.physicalMemory(), facts.kvmApiVersion(), System.getenv());
    }

    static String normaliseArch(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    /** {@return the operating system, told apart by the {@code os.name} system property} */
    public Os os() {
        return os;
    }

    /** {@return the architecture: {@code "x86_64"}, {@code "arm64"}, or what the JVM reports} */
    public String arch() {
        return arch;
    }

    /**
     * The OS version. On macOS the real product version ("26.1"), also for a JVM built with an older SDK, to
     * which macOS reports a compatibility version ("16.0") through {@code os.version} and
     * {@code kern.osproductversion}.
     *
     * @return the version text
     */
    public String osVersion() {
        return osVersion;
    }

    /** {@return the online CPUs of the machine (not a container quota the JVM may see)} */
    public int cpuCount() {
        return cpuCount;
    }

    /** {@return physical memory in bytes; 0 if it could not be read} */
    public long physicalMemory() {
        return physicalMemory;
    }

    /** {@return on Linux, the answer of {@code /dev/kvm} to {@code KVM_GET_API_VERSION}; empty where KVM is absent} */
    public OptionalInt kvmApiVersion() {
        return kvmApiVersion;
    }

    /**
     * An environment variable of this environment (for {@link #current()}, the JVM's at first read).
     *
     * @param name the variable name
     * @return its value, or empty when unset
     */
    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name));
    }

    /**
     * Finds an executable by name on this environment's {@code PATH} (default
     * {@code /usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin}), or checks an explicit path when {@code name} contains
     * a separator.
     *
     * @param name a program name such as {@code "podman"}, or a path to one
     * @return the first executable regular file found, or empty
     */
    public Optional<Path> findExecutable(String name) {
        if (name.contains(File.separator)) {
            Path p = Path.of(name);
            return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
        }
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return os + " " + osVersion + " " + arch + ", " + cpuCount + " CPUs, " + (physicalMemory >> 20) + " MiB"
                + (kvmApiVersion.isPresent() ? ", KVM API " + kvmApiVersion.getAsInt() : ", no KVM");
    }
}
