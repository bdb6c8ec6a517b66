package dev.sandbox4j.egress.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesAuditWriterTest {

    @Test
    void everyRecordedEventBecomesOneJsonLineUntilClosed(@TempDir Path dir) throws Exception {
        // given
        EgressRecorder recorder = new EgressRecorder("box", 10);
        Path file = dir.resolve("audit.jsonl");
        JsonLinesAuditWriter writer = JsonLinesAuditWriter.attach(recorder, file, "box");

        // when
        recorder.record(new EgressEvent.DnsDecision(Instant.parse("2024-01-01T00:00:00Z"), "www.example.", "A",
                EgressEvent.Verdict.ALLOWED, "NOERROR", "allow www.example", List.of("192.0.2.1"),
                Duration.ofSeconds(60), Duration.ofMillis(12), "allowed \"quoted\""));
        recorder.record(new EgressEvent.DroppedConnections(Instant.EPOCH, "tcp", 3, 180));
        writer.close();
        recorder.record(new EgressEvent.QueriesShed(Instant.EPOCH, 5, "budget"));

        // then
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode dns = new ObjectMapper().readTree(lines.get(0));
        assertThat(dns.get("event").asText()).isEqualTo("dns");
        assertThat(dns.get("sandbox").asText()).isEqualTo("box");
        assertThat(dns.get("decision").asText()).isEqualTo("ALLOWED");
        assertThat(dns.get("answers").get(0).asText()).isEqualTo("192.0.2.1");
        assertThat(dns.get("ttl_ms").asLong()).isEqualTo(60_000);
        assertThat(dns.get("upstream_ms").asLong()).isEqualTo(12);
        assertThat(dns.get("reason").asText()).isEqualTo("allowed \"quoted\"");
        assertThat(new ObjectMapper().readTree(lines.get(1)).get("packets").asLong()).isEqualTo(3);
    }
}
