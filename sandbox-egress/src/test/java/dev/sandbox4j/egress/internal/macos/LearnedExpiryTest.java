package dev.sandbox4j.egress.internal.macos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnedExpiryTest {
    private static final Instant T0 = Instant.parse("2026-08-20T10:00:00Z");

    @Test
    void entriesAreDueAtTheirExpiryAndThenForgotten() throws Exception {
        // given
        LearnedExpiry e = new LearnedExpiry();
        InetAddress a = InetAddress.getByName("198.51.100.7");
        InetAddress b = InetAddress.getByName("198.51.100.8");
        e.learned("sb4j_any", a, T0.plusSeconds(10));
        e.learned("sb4j_any", b, T0.plusSeconds(20));

        // when
        Map<String, List<InetAddress>> early = e.due(T0.plusSeconds(9));
        Map<String, List<InetAddress>> first = e.due(T0.plusSeconds(10));
        Map<String, List<InetAddress>> again = e.due(T0.plusSeconds(10));

        // then
        assertThat(early).isEmpty();
        assertThat(first).containsExactly(Map.entry("sb4j_any", List.of(a)));
        assertThat(again).isEmpty();
        assertThat(e.size()).isEqualTo(1);
    }

    @Test
    void aLaterAnswerExtendsAnEntryAndAnEarlierOneNeverShortensIt() throws Exception {
        // given
        LearnedExpiry e = new LearnedExpiry();
        InetAddress a = InetAddress.getByName("198.51.100.7");
        e.learned("sb4j_p443", a, T0.plusSeconds(30));

        // when
        e.learned("sb4j_p443", a, T0.plusSeconds(10));

        // then
        assertThat(e.due(T0.plusSeconds(29))).isEmpty();
        assertThat(e.due(T0.plusSeconds(30))).containsExactly(Map.entry("sb4j_p443", List.of(a)));
    }
}
