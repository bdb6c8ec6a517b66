package dev.sandbox4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandbox4j.spi.HostEnvironment.Os;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostEnvironmentTest {
    private static final Path KVM = Path.of("/dev/kvm");

    private static HostEnvironment linux() {
        HostEnvironment host = HostEnvironment.current();
        assumeTrue(host.os() == Os.LINUX, "reads Linux host facts; this is " + host.os());
        return host;
    }

    @Test
    void cpuCountEqualsTheProcessorsListedInProcCpuinfo() throws IOException {
        // given
        HostEnvironment host = linux();
        long processors = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.matches("processor\\s*:.*")).count();

        // when
        int cpus = host.cpuCount();

        // then
        assertThat(processors).isPositive();
        assertThat(cpus).isEqualTo((int) processors);
    }

    @Test
    void physicalMemoryIsWithinOnePercentOfMemTotal() throws IOException {
        // given
        HostEnvironment host = linux();
        long memTotal = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElseThrow();

        // when
        long memory = host.physicalMemory();

        // then
        assertThat(memory).isCloseTo(memTotal, org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void kvmApiVersionIs12WhereDevKvmCanBeOpened() {
        // given
        HostEnvironment host = linux();
        assumeTrue(Files.isReadable(KVM) && Files.isWritable(KVM), "/dev/kvm is absent or not accessible here");

        // when
        OptionalInt version = host.kvmApiVersion();

        // then
        assertThat(version).hasValue(12);
    }

    @Test
    void kvmApiVersionIsEmptyWithoutDevKvm() {
        // given
        HostEnvironment host = linux();
        assumeTrue(!Files.exists(KVM), "/dev/kvm exists here");

        // when
        OptionalInt version = host.kvmApiVersion();

        // then
        assertThat(version).isEmpty();
    }

    @Test
    void shIsFoundOnThisHostsPath() {
        // given
        HostEnvironment host = HostEnvironment.current();

        // when
        Optional<Path> sh = host.findExecutable("sh");

        // then
        assertThat(sh).hasValueSatisfying(p -> assertThat(Files.isExecutable(p)).isTrue());
    }

    @Test
    void nonexistentProgramIsNotFound() {
        // given
        HostEnvironment host = HostEnvironment.current();

        // when
        Optional<Path> found = host.findExecutable("sandbox4j-no-such-program-7f3a");

        // then
        assertThat(found).isEmpty();
    }

    @Test
    void searchFollowsTheGivenPathInOrder(@TempDir Path tmp) throws IOException {
        // given
        Path first = Files.createDirectories(tmp.resolve("first"));
        Path second = Files.createDirectories(tmp.resolve("second"));
        Files.createFile(first.resolve("tool"));  // not executable: skipped
        Path tool = Files.createFile(second.resolve("tool"));
        assertThat(tool.toFile().setExecutable(true)).isTrue();
        HostEnvironment host = HostEnvironment.of(Os.LINUX, "x86_64", "t", 1, 1, OptionalInt.empty(),
                Map.of("PATH", first + ":" + second));

        // when
        Optional<Path> found = host.findExecutable("tool");

        // then
        assertThat(found).contains(tool);
    }

    @Test
    void directoryIsNotAnExecutable(@TempDir Path tmp) throws IOException {
        // given
        Files.createDirectories(tmp.resolve("tool"));
        HostEnvironment host = HostEnvironment.of(Os.LINUX, "x86_64", "t", 1, 1, OptionalInt.empty(),
                Map.of("PATH", tmp.toString()));

        // when
        Optional<Path> found = host.findExecutable("tool");

        // then
        assertThat(found).isEmpty();
    }

    @Test
    void jvmArchitectureNamesAreNormalised() {
        // when / then
        assertThat(HostEnvironment.normaliseArch("amd64")).isEqualTo("x86_64");
        assertThat(HostEnvironment.normaliseArch("aarch64")).isEqualTo("arm64");
    }
}
