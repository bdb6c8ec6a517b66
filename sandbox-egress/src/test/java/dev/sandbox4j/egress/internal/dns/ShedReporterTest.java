package dev.sandbox4j.egress.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reporting rule on its own: the first of a burst at once, the rest as one count per flush, per reason. */
class ShedReporterTest {
    private final EgressRecorder recorder = new EgressRecorder("test", 100);
    private final ShedReporter reporter = new ShedReporter(DnsInterceptorConfig.builder(EgressPolicy.denyAll())
            .upstreams(List.of(new java.net.InetSocketAddress("127.0.0.1", 53))).recorder(recorder)
            .auditInterval(Duration.ofHours(1)).build());

    private List<EgressEvent.QueriesShed> events() {
        return recorder.events().stream().map(e -> (EgressEvent.QueriesShed) e).toList();
    }

    @Test
    void theFirstOfABurstIsReportedAtOnceAndTheRestAtTheNextFlush() {
        for (int i = 0; i < 500; i++) {
            reporter.count(ShedReporter.Reason.BUDGET);
        }
        int beforeFlush = events().size();
        reporter.flush();

        assertThat(beforeFlush).isEqualTo(1);
        assertThat(events()).extracting(EgressEvent.QueriesShed::count).containsExactly(1L, 499L);
    }

    @Test
    void eachReasonIsCountedAndReportedOnItsOwn() {
        reporter.count(ShedReporter.Reason.BUDGET);
        reporter.count(ShedReporter.Reason.BUDGET);
        reporter.add(ShedReporter.Reason.SOCKET, 7);
        reporter.add(ShedReporter.Reason.SOCKET, 3);
        reporter.flush();
        reporter.flush();

        assertThat(events()).extracting(e -> (e.reason().startsWith("query budget") ? "budget " : "socket ")
                + e.count()).containsExactly("budget 1", "socket 7", "budget 1", "socket 3");
    }
}
