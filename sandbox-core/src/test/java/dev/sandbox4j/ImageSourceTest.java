package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageSourceTest {
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    @ParameterizedTest
    @ValueSource(strings = {"localhost/busybox:latest", "docker.io/library/alpine:3.20", "busybox",
            "registry:5000/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "quay.io/some-org/my_image__x:v1.2-rc.1", "Registry.Example.com/team/app"})
    void validReferenceIsKeptAsWritten(String text) {
        // when
        ImageSource.Reference reference = new ImageSource.Reference(text);

        // then
        assertThat(reference.reference()).isEqualTo(text);
        assertThat(reference).hasToString(text);
    }

    @Test
    void digestOfTheRightLengthIsPartOfTheGrammar() {
        // given
        String text = "registry:5000/a/b@" + DIGEST;

        // when
        ImageSource.Reference reference = new ImageSource.Reference(text);

        // then
        assertThat(reference.reference()).endsWith(DIGEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost/BusyBox:latest", ":latest", "busy box", "localhost/busybox:lat est",
            "localhost//busybox", "busybox:", "a/b@sha256:abc", "-busybox"})
    void malformedReferenceIsRejectedWithTheGrammar(String text) {
        // when / then
        assertThatThrownBy(() -> new ImageSource.Reference(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("malformed image reference")
                .hasMessageContaining("[registry/]name[:tag][@digest] with a lowercase name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void emptyReferenceIsRejectedWithAnExample(String text) {
        // when / then
        assertThatThrownBy(() -> new ImageSource.Reference(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("image reference is empty")
                .hasMessageContaining("localhost/busybox:latest");
    }

    @Test
    void referenceLongerThan255CharactersIsRejected() {
        // given
        String text = "localhost/" + "a".repeat(250);

        // when / then
        assertThatThrownBy(() -> new ImageSource.Reference(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("malformed image reference");
    }
}
