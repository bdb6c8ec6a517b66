package dev.sandbox4j.internal.podman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodmanModeTest {
    @TempDir
    Path temp;

    @Test
    void effectiveUidIsTheSecondFieldOfTheUidLine() throws IOException {
        Path status = Files.writeString(temp.resolve("status"),
                "Name:\tjava\nUmask:\t0022\nUid:\t1000\t0\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n");

        assertThat(PodmanMode.effectiveUid(status)).contains(0L);
    }

    @Test
    void unreadableStatusGivesNoUid() {
        assertThat(PodmanMode.effectiveUid(temp.resolve("missing"))).isEmpty();
    }

    @Test
    void onlyRootlessOnCgroupV1IgnoresLimits() {
        assertThat(new PodmanMode(true, false).enforcesLimits()).isFalse();
        assertThat(new PodmanMode(true, true).enforcesLimits()).isTrue();
        assertThat(new PodmanMode(false, false).enforcesLimits()).isTrue();
    }

    @Test
    void rootlessCgroupV1BackendRefusesLimitsAndSaysHowToFixIt() {
        PodmanBackend backend = new PodmanBackend(CommandRunner.system(), "podman", "4.3.1", new PodmanMode(true, false));
        SandboxSpec limited = Sandbox.builder().image("localhost/busybox:latest").memory("64m").build();

        assertThatThrownBy(() -> backend.validate(limited)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("cannot be enforced").hasMessageContaining("cgroup v2")
                .hasMessageContaining("leave cpus() and memory() unset");
    }

    @Test
    void rootlessCgroupV1BackendAcceptsSpecsWithoutLimits() {
        PodmanBackend backend = new PodmanBackend(CommandRunner.system(), "podman", "4.3.1", new PodmanMode(true, false));
        SandboxSpec unlimited = Sandbox.builder().image("localhost/busybox:latest").build();

        assertThatCode(() -> backend.validate(unlimited)).doesNotThrowAnyException();
    }
}
