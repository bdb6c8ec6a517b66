package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.pod.PodEnforcer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Each audit line once across the log streams of one enforcer, and where to resume. Pure. */
class AuditCursorTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:10.250Z");
    private static final List<EgressEvent> EVENTS = IntStream.rangeClosed(1, 6).<EgressEvent>mapToObj(i ->
            new EgressEvent.DroppedConnections(T.plusMillis(400L * i), "dropped", i, 60L * i)).toList();

    private static String numbered(int seq) {
        return PodEnforcer.auditLine(EVENTS.get(seq - 1), "sb4j-1", seq);
    }

    private static List<EgressEvent> feed(AuditCursor cursor, List<String> lines) {
        List<EgressEvent> out = new ArrayList<>();
        lines.forEach(l -> cursor.accept(l).ifPresent(out::add));
        return out;
    }

    @Test
    void numberedLinesSeenBeforeAreDroppedWhenAResumedStreamRepeatsThem() {
        // given
        AuditCursor cursor = new AuditCursor("sb4j-1");

        // when
        List<EgressEvent> first = feed(cursor, List.of("enforcer: ready", numbered(1), numbered(2), numbered(3)));
        List<EgressEvent> second = feed(cursor, List.of(numbered(2), numbered(3), numbered(4), numbered(5)));

        // then
        assertThat(first).containsExactlyElementsOf(EVENTS.subList(0, 3));
        assertThat(second).containsExactlyElementsOf(EVENTS.subList(3, 5));
        assertThat(cursor.lastSeq()).isEqualTo(5);
        assertThat(cursor.gaps()).isZero();
    }

    @Test
    void aNumberSkippedByTheResumedStreamCountsAsAGap() {
        // given
        AuditCursor cursor = new AuditCursor("sb4j-1");
        feed(cursor, List.of(numbered(1), numbered(2)));

        // when
        List<EgressEvent> resumed = feed(cursor, List.of(numbered(5), numbered(6)));

        // then
        assertThat(resumed).containsExactlyElementsOf(EVENTS.subList(4, 6));
        assertThat(cursor.gaps()).isEqualTo(2);
    }

    @Test
    void aLineCutInTheMiddleIsNoEventAndPassesWhenItComesAgainWhole() {
        // given
        AuditCursor cursor = new AuditCursor("sb4j-1");
        String third = numbered(3);

        // when
        List<EgressEvent> first = feed(cursor, List.of(numbered(1), numbered(2), third.substring(0, 40)));
        List<EgressEvent> second = feed(cursor, List.of(numbered(2), third));

        // then
        assertThat(first).containsExactlyElementsOf(EVENTS.subList(0, 2));
        assertThat(second).containsExactly(EVENTS.get(2));
    }

    @Test
    void theResumePointIsTheReplayMarginBeforeTheNewestEventInWholeSecondsAndNoneBeforeAnyEvent() {
        // given
        AuditCursor cursor = new AuditCursor("sb4j-1");

        // when
        var before = cursor.resumeFrom();
        feed(cursor, List.of(numbered(1), numbered(4), numbered(5)));

        // then: the newest event is at 00:00:12.250 (line 5); 2 s before, in whole seconds, is 00:00:10
        assertThat(before).isEmpty();
        assertThat(cursor.resumeFrom()).contains(Instant.parse("2026-01-01T00:00:10Z"));
    }

    @Test
    void unnumberedLinesAreDroppedOnlyWhenTheSameLineWasSeenWithinTheReplayWindow() {
        // given: an enforcer that does not number its lines
        AuditCursor cursor = new AuditCursor("sb4j-1");
        String a = EVENTS.get(0).toJsonLine("sb4j-1");
        String b = EVENTS.get(1).toJsonLine("sb4j-1");
        String late = new EgressEvent.DroppedConnections(T.plusSeconds(60), "dropped", 9, 9).toJsonLine("sb4j-1");

        // when
        List<EgressEvent> first = feed(cursor, List.of(a, b));
        List<EgressEvent> second = feed(cursor, List.of(a, b, late));
        List<EgressEvent> third = feed(cursor, List.of(a));

        // then: the repeat is dropped; once the newest event is far past it, the same text is a new event
        assertThat(first).containsExactly(EVENTS.get(0), EVENTS.get(1));
        assertThat(second).hasSize(1);
        assertThat(third).containsExactly(EVENTS.get(0));
    }

    @Test
    void linesOfAnotherSandboxAreNoEvents() {
        AuditCursor cursor = new AuditCursor("sb4j-2");

        assertThat(feed(cursor, List.of(numbered(1)))).isEmpty();
        assertThat(cursor.lastSeq()).isZero();
    }
}
