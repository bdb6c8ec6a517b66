package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySizeTest {

    @Test
    void mebibyteSuffixMultipliesBy1024Squared() {
        // given
        String text = "512m";

        // when
        MemorySize size = MemorySize.parse(text);

        // then
        assertThat(size.bytes()).isEqualTo(536_870_912L);
    }

    @Test
    void gibibyteSuffixMultipliesBy1024Cubed() {
        // given
        String text = "2g";

        // when
        MemorySize size = MemorySize.parse(text);

        // then
        assertThat(size.bytes()).isEqualTo(2_147_483_648L);
    }

    @Test
    void kibibyteSuffixMultipliesBy1024() {
        // given
        String text = "1k";

        // when
        MemorySize size = MemorySize.parse(text);

        // then
        assertThat(size.bytes()).isEqualTo(1024L);
    }

    @Test
    void numberWithoutUnitIsBytes() {
        // given
        String text = "1048576";

        // when
        MemorySize size = MemorySize.parse(text);

        // then
        assertThat(size.bytes()).isEqualTo(1_048_576L);
    }

    @Test
    void iecSuffixWithIbIsAcceptedCaseInsensitively() {
        // given
        String text = "1GiB";

        // when
        MemorySize size = MemorySize.parse(text);

        // then
        assertThat(size.bytes()).isEqualTo(1L << 30);
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        // given
        String text = " \t512m\n";

        // when
        MemorySize size = MemorySize.parse(text);

        // then
        assertThat(size).isEqualTo(MemorySize.ofMebibytes(512));
    }

    @Test
    void printsTheLargestUnitThatDividesExactly() {
        // given
        MemorySize size = MemorySize.ofBytes(3L << 30);

        // when
        String text = size.toString();

        // then
        assertThat(text).isEqualTo("3g");
    }

    @Test
    void printsASizeThatIsNoWholeKibibyteAsPlainBytes() {
        // given
        MemorySize size = MemorySize.ofBytes(1000);

        // when
        String text = size.toString();

        // then
        assertThat(text).isEqualTo("1000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"512m", "2g", "1k", "1048576", "1GiB", "1000", "1536k", "5t", "1",
            "9223372036854775807", "8388607t"})
    void printedSizeParsesBackToTheSameSize(String text) {
        // given
        MemorySize size = MemorySize.parse(text);

        // when
        MemorySize again = MemorySize.parse(size.toString());

        // then
        assertThat(again).isEqualTo(size);
    }

    @Test
    void unknownUnitIsRejectedWithTheSyntaxAndAnExample() {
        // given
        String text = "12x";

        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("\"12x\"")
                .hasMessageContaining("unit b, k, m, g or t")
                .hasMessageContaining("for example 512m");
    }

    @Test
    void zeroIsRejectedWithAPositiveExample() {
        // given
        String text = "0";

        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("is zero")
                .hasMessageContaining("such as 512m");
    }

    @Test
    void negativeNumberIsRejected() {
        // given
        String text = "-512m";

        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("invalid memory size \"-512m\"")
                .hasMessageContaining("whole number");
    }

    @Test
    void negativeBytesAreRejectedByTheConstructor() {
        // given
        long bytes = -1;

        // when / then
        assertThatThrownBy(() -> MemorySize.ofBytes(bytes))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("must be positive");
    }

    @Test
    void sizeBeyondALongIsRejectedWithTheLargestAllowed() {
        // given
        String text = "8388608t";

        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("too large")
                .hasMessageContaining("8388607t");
    }

    @Test
    void numberBeyondALongWithoutUnitIsRejectedAsTooLarge() {
        // given
        String text = "9223372036854775808";

        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("too large");
    }

    @Test
    void blankTextIsRejected() {
        // given
        String text = "   ";

        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("for example 512m");
    }

    @Test
    void spaceBetweenNumberAndUnitIsRejected() {
        // given
        String text = "512 m";

        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("invalid memory size");
    }
}
