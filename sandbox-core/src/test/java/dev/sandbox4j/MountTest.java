package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MountTest {
    private static final Path SOURCE = Path.of("/srv/data");

    @Test
    void relativeTargetIsRejectedWithAnAbsoluteExample() {
        // given
        String target = "work";

        // when / then
        assertThatThrownBy(() -> new Mount(SOURCE, target, false))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("\"work\"")
                .hasMessageContaining("write it like /work");
    }

    @Test
    void targetWithParentSegmentIsRejected() {
        // given
        String target = "/work/../etc";

        // when / then
        assertThatThrownBy(() -> new Mount(SOURCE, target, false))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("contains '..'");
    }

    @Test
    void targetWithDotsInsideANameIsAccepted() {
        // given
        String target = "/work/..data";

        // when
        Mount mount = new Mount(SOURCE, target, false);

        // then
        assertThat(mount.target()).isEqualTo("/work/..data");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/work:ro", "/a,b"})
    void targetWithColonOrCommaIsRejected(String target) {
        // when / then
        assertThatThrownBy(() -> new Mount(SOURCE, target, false))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("contains ':', ',' or NUL")
                .hasMessageContaining("choose another path");
    }

    @Test
    void sourceWithColonIsRejected() {
        // given
        Path source = Path.of("/srv/a:b");

        // when / then
        assertThatThrownBy(() -> new Mount(source, "/work", false))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("move or link it elsewhere");
    }

    @Test
    void trailingSlashOfTargetIsRemoved() {
        // given
        String target = "/work/";

        // when
        Mount mount = new Mount(SOURCE, target, true);

        // then
        assertThat(mount.target()).isEqualTo("/work");
    }

    @Test
    void repeatedTrailingSlashesOfTargetAreRemoved() {
        // given
        String target = "/work//";

        // when
        Mount mount = new Mount(SOURCE, target, true);

        // then
        assertThat(mount.target()).isEqualTo("/work");
    }

    @Test
    void rootTargetStaysRoot() {
        // given
        String target = "/";

        // when
        Mount mount = new Mount(SOURCE, target, true);

        // then
        assertThat(mount.target()).isEqualTo("/");
    }

    @Test
    void relativeSourceIsMadeAbsoluteAndNormalised() {
        // given
        Path source = Path.of("a/./b/../c");

        // when
        Mount mount = new Mount(source, "/work", false);

        // then
        assertThat(mount.source()).isEqualTo(Path.of("").toAbsolutePath().resolve("a/c"));
    }
}
