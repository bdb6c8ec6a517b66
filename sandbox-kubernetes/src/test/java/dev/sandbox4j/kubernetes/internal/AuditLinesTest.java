package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.pod.PodEnforcer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The enforcer's log lines read back into events. Pure. */
class AuditLinesTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00.123Z");

    @Test
    void everyEventKindRoundTripsThroughItsJsonLine() {
        // given
        List<EgressEvent> events = List.of(
                new EgressEvent.DnsDecision(T, "pypi.org.", "A", EgressEvent.Verdict.ALLOWED, "NOERROR",
                        "allow pypi.org", List.of("203.0.113.10", "203.0.113.11"), Duration.ofSeconds(60),
                        Duration.ofMillis(12), "udp: allowed by 'allow pypi.org'"),
                new EgressEvent.DroppedConnections(T, "dropped", 3, 228),
                new EgressEvent.QueriesShed(T, 40, "over the query budget"),
                new EgressEvent.EnforcementLost(T, "the table was deleted", "cut off"));

        // then
        for (EgressEvent e : events) {
            assertThat(AuditLines.parse(e.toJsonLine("sb4j-1"), "sb4j-1")).contains(e);
        }
    }

    @Test
    void otherLinesOtherSandboxesAndMalformedObjectsAreNoEvents() {
        // given
        String line = new EgressEvent.DroppedConnections(T, "dropped", 3, 228).toJsonLine("sb4j-1");

        // then
        assertThat(AuditLines.parse(line, "sb4j-2")).isEmpty();
        assertThat(AuditLines.parse("enforcer: ready, interceptor on 127.0.0.1:5353", "sb4j-1")).isEmpty();
        assertThat(AuditLines.parse("[main] INFO x - {\"event\":\"dns\"}", "sb4j-1")).isEmpty();
        assertThat(AuditLines.parse("{\"event\":\"dns\",\"sandbox\":\"sb4j-1\",\"time\":\"now\"}", "sb4j-1")).isEmpty();
        assertThat(AuditLines.parse("{\"event\":\"future\",\"sandbox\":\"sb4j-1\",\"time\":\"2026-01-01T00:00:00Z\"}",
                "sb4j-1")).isEmpty();
        assertThat(AuditLines.parse("{not json", "sb4j-1")).isEmpty();
        assertThat(AuditLines.parse("  " + line + "\r", "sb4j-1")).isPresent();
    }

    @Test
    void theEnforcersNumberedLineKeepsEveryFieldOfTheEventsJsonLineAndAddsItsNumberLast() {
        // given
        EgressEvent e = new EgressEvent.DroppedConnections(T, "dropped", 3, 228);

        // when
        String line = PodEnforcer.auditLine(e, "sb4j-1", 7);

        // then
        assertThat(line).isEqualTo(e.toJsonLine("sb4j-1").replaceFirst("}$", ",\"seq\":7}"));
        assertThat(AuditLines.entry(line, "sb4j-1")).contains(new AuditLines.Entry(e, 7));
        assertThat(AuditLines.entry(e.toJsonLine("sb4j-1"), "sb4j-1")).contains(new AuditLines.Entry(e, 0));
        assertThat(AuditLines.SEQ_FIELD).isEqualTo(PodEnforcer.SEQ_FIELD);
    }
}
