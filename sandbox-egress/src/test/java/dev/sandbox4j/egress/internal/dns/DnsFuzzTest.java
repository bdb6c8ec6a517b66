package dev.sandbox4j.egress.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DnsFuzzTest {

    @Test
    void randomAndMutatedPacketsNeverEscapeTheHandlerAndTheServerStillAnswers() throws Exception {
        // given
        long packets = Long.getLong("sandbox4j.fuzz.packets", 20_000);
        long seed = Long.getLong("sandbox4j.fuzz.seed", 20240607L);

        // when
        DnsFuzz.Report report = DnsFuzz.run(seed, packets);

        // then
        assertThat(report.uncaught()).as("exceptions that escaped the handler (seed %d)", seed).isEmpty();
        assertThat(report.stats().uncaught()).isZero();
        assertThat(report.answersAfterwards()).as("a valid query is answered after the fuzzing").isTrue();
        assertThat(report.stats().received()).isGreaterThan(packets / 2);
        assertThat(report.stats().refused() + report.stats().denied()).isPositive();
    }

    @Test
    void theSameSeedGivesTheSamePackets() {
        DnsFuzz a = new DnsFuzz(7);
        DnsFuzz b = new DnsFuzz(7);

        for (int i = 0; i < 1000; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }
}
