package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The head-and-tail buffer behind {@link ShellTool}: pure, no sandbox. */
class ShellToolHeadTailTest {
    @Test
    void outputThatFitsIsKeptWhole() {
        ShellTool.HeadTail buffer = new ShellTool.HeadTail(10, 10);

        buffer.add("abc");
        buffer.add("def");

        assertThat(buffer.text()).isEqualTo("abc\ndef\n");
        assertThat(buffer.cut()).isZero();
    }

    @Test
    void longOutputKeepsItsFirstAndLastBytesAndCountsTheMiddle() {
        ShellTool.HeadTail buffer = new ShellTool.HeadTail(8, 6);
        for (int i = 0; i < 10; i++) {
            buffer.add("line" + i);
        }

        String text = buffer.text();

        // 10 lines of 6 bytes = 60 bytes: 8 kept at the start, 6 at the end, 46 cut
        assertThat(buffer.cut()).isEqualTo(46);
        assertThat(text).isEqualTo("line0\nli\n[... 46 bytes cut ...]\nline9\n");
    }

    @Test
    void cutsNeverSplitACharacter() {
        ShellTool.HeadTail buffer = new ShellTool.HeadTail(3, 3);

        buffer.add("ääää");  // 8 bytes + newline

        String text = buffer.text();
        assertThat(text).doesNotContain("\uFFFD");
        assertThat(text).startsWith("ä\n[... ").endsWith("ä\n");
    }

    @Test
    void aZeroHeadKeepsOnlyTheTail() {
        ShellTool.HeadTail buffer = new ShellTool.HeadTail(0, 4);

        buffer.add("first");
        buffer.add("end");

        assertThat(buffer.text()).isEqualTo("[... 6 bytes cut ...]\nend\n");
    }
}
