package dev.sandbox4j.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressRecorderTest {

    private static EgressEvent.DnsDecision event(String qname) {
        return new EgressEvent.DnsDecision(Instant.EPOCH, qname, "A", EgressEvent.Verdict.DENIED, "NXDOMAIN",
                "default", List.of(), Duration.ZERO, Duration.ZERO, "no rule");
    }

    @Test
    void ringBufferKeepsTheMostRecentEventsAndCountsWhatItDiscarded() {
        EgressRecorder recorder = new EgressRecorder("t", 3);

        for (int i = 0; i < 5; i++) {
            recorder.record(event("n" + i + "."));
        }

        assertThat(recorder.events()).extracting(e -> ((EgressEvent.DnsDecision) e).qname())
                .containsExactly("n2.", "n3.", "n4.");
        assertThat(recorder.discardedEvents()).isEqualTo(2);
    }

    @Test
    void aThrowingListenerDoesNotStopOtherListenersOrTheRecorder() throws Exception {
        EgressRecorder recorder = new EgressRecorder("t", 10);
        List<EgressEvent> seen = new ArrayList<>();
        recorder.subscribe(e -> {
            throw new IllegalStateException("boom");
        });
        AutoCloseable handle = recorder.subscribe(seen::add);

        recorder.record(event("a."));
        handle.close();
        recorder.record(event("b."));

        assertThat(seen).hasSize(1);
        assertThat(recorder.events()).hasSize(2);
        assertThat(recorder.listenerFailures()).isEqualTo(2);
    }

    @Test
    void auditValuesAreQuotedWhenTheyHoldSpacesOrQuotes() {
        assertThat(EgressRecorder.quote("plain")).isEqualTo("plain");
        assertThat(EgressRecorder.quote("")).isEqualTo("\"\"");
        assertThat(EgressRecorder.quote("deny x y")).isEqualTo("\"deny x y\"");
        assertThat(EgressRecorder.quote("a\"b\n")).isEqualTo("\"a\\\"b\\x0a\"");
    }
}
