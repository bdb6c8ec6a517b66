package dev.sandbox4j.kubernetes.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.egress.EgressEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the enforcer sidecar's log back into egress events: each audit event is one JSON line in the form of
 * {@link EgressEvent#toJsonLine(String)}; anything else in the log (the enforcer's own messages) is not an event.
 * Pure: no I/O.
 */
public final class AuditLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLines() {
    }

    /**
     * The event of one log line, when it is an audit line of {@code sandbox}; empty for other lines, lines of
     * another sandbox, or malformed ones.
     */
    public static Optional<EgressEvent> parse(String line, String sandbox) {
        String s = line.strip();
        if (!s.startsWith("{")) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = JSON.readTree(s);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject() || !sandbox.equals(n.path("sandbox").asText())) {
            return Optional.empty();
        }
        try {
            Instant time = Instant.parse(n.path("time").asText());
            return Optional.ofNullable(switch (n.path("event").asText()) {
                case "dns" -> {
                    List<String> answers = new ArrayList<>();
                    n.path("answers").forEach(a -> answers.add(a.asText()));
                    yield new EgressEvent.DnsDecision(time, text(n, "qname"), text(n, "qtype"),
                            EgressEvent.Verdict.valueOf(text(n, "decision")), text(n, "rcode"), text(n, "rule"),
                            answers, Duration.ofMillis(n.path("ttl_ms").asLong()),
                            Duration.ofMillis(n.path("upstream_ms").asLong()), text(n, "reason"));
                }
                case "dropped" -> new EgressEvent.DroppedConnections(time, text(n, "counter"),
                        n.path("packets").asLong(), n.path("bytes").asLong());
                case "shed" -> new EgressEvent.QueriesShed(time, n.path("count").asLong(), text(n, "reason"));
                case "enforcement_lost" -> new EgressEvent.EnforcementLost(time, text(n, "reason"), text(n, "action"));
                default -> null;
            });
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("no text field " + field);
        }
        return v.asText();
    }
}
