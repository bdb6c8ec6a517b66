package dev.sandbox4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void feed(LineSplitter splitter, String s) {
        byte[] b = utf8(s);
        splitter.accept(b, 0, b.length);
    }

    @Test
    void linesAreDeliveredWithoutTheirTerminator() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add);

        // when
        feed(splitter, "one\ntwo\n");

        // then
        assertThat(lines).containsExactly("one", "two");
    }

    @Test
    void crlfEndsALineLikeLf() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add);

        // when
        feed(splitter, "one\r\ntwo\r\n");

        // then
        assertThat(lines).containsExactly("one", "two");
    }

    @Test
    void crlfSplitAcrossReadsStillEndsTheLine() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add);

        // when
        feed(splitter, "one\r");
        feed(splitter, "\ntwo\n");

        // then
        assertThat(lines).containsExactly("one", "two");
    }

    @Test
    void carriageReturnInsideALineIsKept() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add);

        // when
        feed(splitter, "50%\r100%\n");

        // then
        assertThat(lines).containsExactly("50%\r100%");
    }

    @Test
    void emptyLinesAreDelivered() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add);

        // when
        feed(splitter, "\n\nx\n");

        // then
        assertThat(lines).containsExactly("", "", "x");
    }

    @Test
    void unterminatedLastLineWaitsForFinish() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add);
        feed(splitter, "done\npartial");
        assertThat(lines).containsExactly("done");

        // when
        splitter.finish();

        // then
        assertThat(lines).containsExactly("done", "partial");
    }

    @Test
    void finishWithNothingPendingDeliversNothing() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add);
        feed(splitter, "done\n");

        // when
        splitter.finish();

        // then
        assertThat(lines).containsExactly("done");
    }

    @Test
    void characterSplitAcrossReadsIsDecodedWhole() {
        // given
        byte[] b = utf8("\u00e9t\u00e9 \u20ac\n");
        LineSplitter splitter = new LineSplitter(lines::add);

        // when
        for (int i = 0; i < b.length; i++) {
            splitter.accept(b, i, 1);
        }

        // then
        assertThat(lines).containsExactly("\u00e9t\u00e9 \u20ac");
    }

    @Test
    void offsetAndLengthAreRespected() {
        // given
        byte[] b = utf8("XXab\ncdYY");
        LineSplitter splitter = new LineSplitter(lines::add);

        // when
        splitter.accept(b, 2, 5);
        splitter.finish();

        // then
        assertThat(lines).containsExactly("ab", "cd");
    }

    @Test
    void longLineIsCutIntoPiecesNoLongerThanTheLimit() {
        // given
        LineSplitter splitter = new LineSplitter(lines::add, 4);

        // when
        feed(splitter, "abcdefghij\n");

        // then
        assertThat(lines).containsExactly("abcd", "efgh", "ij");
    }

    @Test
    void longLineIsCutOnCharacterBoundaries() {
        // given: 3-byte euro signs and a 2-byte e-acute, so no multiple of the limit falls on a boundary
        String text = "a\u20ac\u20ac\u00e9\u20acb\u20ac\u20ac\u20ac\u00e9\u00e9z";
        LineSplitter splitter = new LineSplitter(lines::add, 8);

        // when
        feed(splitter, text + "\n");

        // then
        assertThat(lines).hasSizeGreaterThan(1).noneMatch(l -> l.contains("\ufffd"))
                .allMatch(l -> utf8(l).length <= 8);
        assertThat(String.join("", lines)).isEqualTo(text);
    }

    @Test
    void longLineSplitAcrossReadsIsCutOnCharacterBoundaries() {
        // given
        String text = "\u20ac".repeat(50);
        byte[] b = utf8(text + "\n");
        LineSplitter splitter = new LineSplitter(lines::add, 16);

        // when
        for (int i = 0; i < b.length; i += 7) {
            splitter.accept(b, i, Math.min(7, b.length - i));
        }

        // then
        assertThat(lines).noneMatch(l -> l.contains("\ufffd")).allMatch(l -> utf8(l).length <= 16);
        assertThat(String.join("", lines)).isEqualTo(text);
    }
}
