package dev.sandbox4j.internal;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads host facts through libc with JNA. JNA is touched only inside the nested holder classes, so it is loaded
 * the first time a fact is read and only on platforms that have a libc it can bind; anywhere else the facts
 * come from the JVM and {@code /proc}.
 */
public final class NativeHost {
    private static final Logger LOG = LoggerFactory.getLogger(NativeHost.class);

    private NativeHost() {
    }

    /** What could be read. */
    public record Facts(int cpuCount, long physicalMemory, OptionalInt kvmApiVersion, Optional<String> osVersion) {
    }

    public static Facts read(HostEnvironment.Os os) {
        try {
            return switch (os) {
                case LINUX -> Linux.read();
                case MACOS -> Darwin.read();
                default -> fallback();
            };
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("native host facts unavailable ({}); using JVM values", e.toString());
            return fallback();
        }
    }

    private static Facts fallback() {
        return new Facts(java.lang.Runtime.getRuntime().availableProcessors(), procMeminfo(), OptionalInt.empty(),
                Optional.empty());
    }

    static long procMeminfo() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.trace("no /proc/meminfo", e);
        }
        return 0;
    }

    /** A small text file, or empty when it cannot be read. */
    static Optional<String> readFile(String path) {
        try {
            return Optional.of(Files.readString(Path.of(path), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.trace("cannot read {}", path, e);
            return Optional.empty();
        }
    }

    /** The libc functions used on Linux. */
    interface LinuxLibc extends Library {
        NativeLong sysconf(int name);

        int open(String path, int flags);

        int ioctl(int fd, NativeLong request, Pointer arg);

        int close(int fd);
    }

    private static final class Linux {
        private static final int SC_PAGESIZE = 30;
        private static final int SC_NPROCESSORS_ONLN = 84;
        private static final int SC_PHYS_PAGES = 85;
        private static final int O_RDWR = 2;
        private static final int O_CLOEXEC = 0x80000;
        private static final long KVM_GET_API_VERSION = 0xAE00L;

        static Facts read() {
            LinuxLibc libc = Native.load("c", LinuxLibc.class);
            int cpus = (int) libc.sysconf(SC_NPROCESSORS_ONLN).longValue();
            long memory = libc.sysconf(SC_PHYS_PAGES).longValue() * libc.sysconf(SC_PAGESIZE).longValue();
            return new Facts(cpus > 0 ? cpus : java.lang.Runtime.getRuntime().availableProcessors(),
                    memory > 0 ? memory : procMeminfo(), kvm(libc), Optional.empty());
        }

        private static OptionalInt kvm(LinuxLibc libc) {
            if (!Files.exists(Path.of("/dev/kvm"))) {
                return OptionalInt.empty();
            }
            int fd = libc.open("/dev/kvm", O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                return OptionalInt.empty();
            }
            try {
                int version = libc.ioctl(fd, new NativeLong(KVM_GET_API_VERSION), Pointer.NULL);
                return version >= 0 ? OptionalInt.of(version) : OptionalInt.empty();
            } finally {
                libc.close(fd);
            }
        }
    }

    /** The libc functions used on macOS. */
    interface DarwinLibc extends Library {
        int sysctlbyname(String name, Pointer oldp, LongByReference oldlenp, Pointer newp, NativeLong newlen);
    }

    /** sysctl reads on macOS; public so the Apple backend can read its own keys the same way. */
    public static final class Darwin {
        private Darwin() {
        }

        static Facts read() {
            int cpus = (int) sysctlLong("hw.ncpu").orElse((long) java.lang.Runtime.getRuntime().availableProcessors()).longValue();
            long memory = sysctlLong("hw.memsize").orElse(0L);
            return new Facts(cpus, memory, OptionalInt.empty(),
                    MacOsVersion.read(SOURCE).map(MacOsVersion.Reading::version));
        }

        /** The running Mac's sysctls and files, for {@link MacOsVersion}. */
        public static final MacOsVersion.Source SOURCE = new MacOsVersion.Source() {
            @Override
            public Optional<String> sysctlString(String name) {
                return Darwin.sysctlString(name);
            }

            @Override
            public Optional<Long> sysctlLong(String name) {
                return Darwin.sysctlLong(name);
            }

            @Override
            public Optional<String> readFile(String path) {
                return NativeHost.readFile(path);
            }
        };

        private static DarwinLibc libc() {
            return Native.load("c", DarwinLibc.class);
        }

        /** An integer sysctl (4 or 8 bytes), or empty when the key does not exist. */
        public static Optional<Long> sysctlLong(String name) {
            Memory buf = new Memory(8);
            buf.clear();
            LongByReference len = new LongByReference(8);
            if (libc().sysctlbyname(name, buf, len, Pointer.NULL, new NativeLong(0)) != 0) {
                return Optional.empty();
            }
            return Optional.of(len.getValue() == 4 ? (long) buf.getInt(0) : buf.getLong(0));
        }

        /** A string sysctl, or empty when the key does not exist. */
        public static Optional<String> sysctlString(String name) {
            LongByReference len = new LongByReference(0);
            DarwinLibc c = libc();
            if (c.sysctlbyname(name, Pointer.NULL, len, Pointer.NULL, new NativeLong(0)) != 0 || len.getValue() <= 0) {
                return Optional.empty();
            }
            Memory buf = new Memory(len.getValue());
            if (c.sysctlbyname(name, buf, len, Pointer.NULL, new NativeLong(0)) != 0) {
                return Optional.empty();
            }
            return Optional.of(buf.getString(0, StandardCharsets.UTF_8.name()));
        }
    }
}
