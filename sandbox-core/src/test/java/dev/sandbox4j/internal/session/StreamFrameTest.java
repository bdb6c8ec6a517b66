package dev.sandbox4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The framing parser on constructed streams, fed whole and cut at every possible place. */
class StreamFrameTest {
    private static final String T = "S4J0123456789abcdef0123456789abcdef";

    private record Parsed(byte[] payload, List<String> lines, long pid, String trailer, boolean done) {
    }

    private static Parsed parse(byte[] stream, boolean header, int... cuts) {
        List<String> lines = new ArrayList<>();
        OutputSink sink = new OutputSink(1 << 20, lines::add);
        StreamFrame frame = new StreamFrame(T, header, sink);
        int from = 0;
        for (int cut : cuts) {
            frame.feed(stream, from, cut - from);
            from = cut;
        }
        frame.feed(stream, from, stream.length - from);
        return new Parsed(sink.bytes(), lines, frame.pid(), frame.trailer(), frame.isDone());
    }

    private static byte[] stream(String before, String pidLine, byte[] payload, String trailer) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(before.getBytes(StandardCharsets.ISO_8859_1));
        s.writeBytes((T + " S\n" + pidLine).getBytes(StandardCharsets.ISO_8859_1));
        s.writeBytes(payload);
        s.writeBytes(("\n" + T + " E" + trailer + "\n").getBytes(StandardCharsets.ISO_8859_1));
        s.writeBytes("stray bytes after the frame".getBytes(StandardCharsets.ISO_8859_1));
        return s.toByteArray();
    }

    @Test
    void payloadPidAndExitStatusComeOutOfAWholeFrame() {
        byte[] s = stream("late output of an earlier command", "P 42\n", "one\ntwo\n".getBytes(StandardCharsets.UTF_8),
                " 3");

        Parsed p = parse(s, true);

        assertThat(p.done()).isTrue();
        assertThat(new String(p.payload(), StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
        assertThat(p.lines()).containsExactly("one", "two");
        assertThat(p.pid()).isEqualTo(42);
        assertThat(p.trailer()).isEqualTo("3");
    }

    @Test
    void everyCutOfTheStreamGivesTheSameResult() {
        byte[] payload = "a\u0000b\n\nno newline at the end \u00e9".getBytes(StandardCharsets.UTF_8);
        byte[] s = stream("xx" + T.substring(0, 10), "P 7\n", payload, " 0");
        Parsed whole = parse(s, true);

        for (int i = 0; i <= s.length; i++) {
            for (int j = i; j <= s.length; j += 7) {
                Parsed cut = parse(s, true, i, j);

                assertThat(cut.payload()).as("cut at %d and %d", i, j).isEqualTo(payload);
                assertThat(cut.lines()).as("cut at %d and %d", i, j).isEqualTo(whole.lines());
                assertThat(cut.trailer()).isEqualTo("0");
                assertThat(cut.pid()).isEqualTo(7);
            }
        }
        assertThat(whole.lines()).containsExactly("a\u0000b", "", "no newline at the end \u00e9");
    }

    @Test
    void payloadEndingInNewlinesKeepsAllOfThemAndNoExtraLine() {
        byte[] payload = "x\n\n".getBytes(StandardCharsets.UTF_8);

        for (int i = 0; i <= stream("", "", payload, "").length; i++) {
            Parsed p = parse(stream("", "", payload, ""), false, i);

            assertThat(p.payload()).isEqualTo(payload);
            assertThat(p.lines()).containsExactly("x", "");
        }
    }

    @Test
    void textLookingLikeMarkersOfOtherTokensIsPayload() {
        String fake = "S4Jffffffffffffffffffffffffffffffff S\n\nS4Jffffffffffffffffffffffffffffffff E 0\n" + T + " S\n"
                + "x" + T + " E 1\n\n" + T + " X\n" + T.substring(0, 20);
        byte[] payload = fake.getBytes(StandardCharsets.UTF_8);

        Parsed p = parse(stream("", "", payload, " 0"), true);

        assertThat(new String(p.payload(), StandardCharsets.UTF_8)).isEqualTo(fake);
    }

    @Test
    void aLineIsDeliveredWithoutWaitingForTheNextRead() {
        List<String> lines = new ArrayList<>();
        StreamFrame frame = new StreamFrame(T, false, new OutputSink(1024, lines::add));
        byte[] s = (T + " S\nhello\n").getBytes(StandardCharsets.UTF_8);

        frame.feed(s, 0, s.length);

        assertThat(lines).containsExactly("hello");
        assertThat(frame.isDone()).isFalse();
    }

    @Test
    void aStreamThatEndsBeforeTheEndMarkerFailsTheFrame() {
        StreamFrame frame = new StreamFrame(T, true, new OutputSink(1024, line -> { }));
        byte[] s = (T + " S\nP 9\npartial").getBytes(StandardCharsets.UTF_8);
        frame.feed(s, 0, s.length);

        frame.fail("session channel closed");

        assertThat(frame.isDone()).isTrue();
        assertThat(frame.started()).isTrue();
        assertThat(frame.failure()).isEqualTo("session channel closed");
        assertThat(frame.trailer()).isNull();
    }
}
