package dev.sandbox4j.internal.podman;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.HostEnvironment.Os;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodmanProviderTest {
    private final PodmanProvider provider = new PodmanProvider();

    @TempDir
    Path tmp;

    private static HostEnvironment host(Os os, Map<String, String> env) {
        return HostEnvironment.of(os, "x86_64", "test", 4, 8L << 30, OptionalInt.empty(), env);
    }

    /** A directory holding an executable file named podman (never run: detect only looks for it). */
    private Path binWithFakePodman() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path podman = bin.resolve("podman");
        Files.writeString(podman, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(podman, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    @Test
    void linuxWithPodmanOnPathIsDetected() throws IOException {
        // given
        HostEnvironment host = host(Os.LINUX, Map.of("PATH", binWithFakePodman().toString()));

        // when
        boolean detected = provider.detect(host);

        // then
        assertThat(detected).isTrue();
    }

    @Test
    void linuxWithoutPodmanOnPathIsNotDetected() throws IOException {
        // given
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        HostEnvironment host = host(Os.LINUX, Map.of("PATH", empty.toString()));

        // when
        boolean detected = provider.detect(host);

        // then
        assertThat(detected).isFalse();
    }

    @Test
    void reasonWithoutPodmanOnPathSaysHowToInstallIt() throws IOException {
        // given
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        HostEnvironment host = host(Os.LINUX, Map.of("PATH", empty.toString()));

        // when
        String reason = provider.unavailableReason(host);

        // then
        assertThat(reason).contains("podman not found on PATH").contains("apt-get install podman");
    }

    @Test
    void macosIsNotDetectedEvenWithPodmanOnPath() throws IOException {
        // given
        HostEnvironment host = host(Os.MACOS, Map.of("PATH", binWithFakePodman().toString()));

        // when
        boolean detected = provider.detect(host);

        // then
        assertThat(detected).isFalse();
    }

    @Test
    void reasonOnMacosSaysPodmanIsForLinux() {
        // given
        HostEnvironment host = host(Os.MACOS, Map.of());

        // when
        String reason = provider.unavailableReason(host);

        // then
        assertThat(reason).isEqualTo("podman is used on Linux only; this is MACOS");
    }

    @Test
    void overrideNamingAMissingFileIsNotDetectedEvenWithPodmanOnPath() throws IOException {
        // given
        Map<String, String> env = new HashMap<>();
        env.put("PATH", binWithFakePodman().toString());
        env.put("SANDBOX4J_PODMAN", tmp.resolve("nowhere/podman").toString());
        HostEnvironment host = host(Os.LINUX, env);

        // when
        boolean detected = provider.detect(host);

        // then
        assertThat(detected).isFalse();
    }

    @Test
    void reasonForAMissingOverrideNamesTheVariableAndItsValue() {
        // given
        String missing = tmp.resolve("nowhere/podman").toString();
        HostEnvironment host = host(Os.LINUX, Map.of("SANDBOX4J_PODMAN", missing));

        // when
        String reason = provider.unavailableReason(host);

        // then
        assertThat(reason).contains("SANDBOX4J_PODMAN=" + missing).contains("is not an executable file");
    }

    @Test
    void overrideNamingAnExecutableIsDetectedWithoutPath() throws IOException {
        // given
        String podman = binWithFakePodman().resolve("podman").toString();
        HostEnvironment host = host(Os.LINUX, Map.of("SANDBOX4J_PODMAN", podman, "PATH", tmp.toString()));

        // when
        boolean detected = provider.detect(host);

        // then
        assertThat(detected).isTrue();
    }

    @Test
    void twoDigitMinorVersionIsNewerThanOneDigit() {
        // when
        int c = PodmanProvider.compare("4.10", "4.3");

        // then
        assertThat(c).isPositive();
    }

    @Test
    void patchReleaseIsAtLeastTheMinimum() {
        // when
        int c = PodmanProvider.compare("4.3.1", PodmanProvider.MINIMUM);

        // then
        assertThat(c).isPositive();
    }

    @Test
    void exactMinimumEqualsItselfWithATrailingZero() {
        // when
        int c = PodmanProvider.compare("4.3.0", "4.3");

        // then
        assertThat(c).isZero();
    }

    @Test
    void olderMajorVersionIsBelowTheMinimum() {
        // when
        int c = PodmanProvider.compare("3.4", PodmanProvider.MINIMUM);

        // then
        assertThat(c).isNegative();
    }

    @Test
    void preReleaseSuffixIsIgnored() {
        // when
        int c = PodmanProvider.compare("4.3.0-rc2", "4.3");

        // then
        assertThat(c).isZero();
    }
}
