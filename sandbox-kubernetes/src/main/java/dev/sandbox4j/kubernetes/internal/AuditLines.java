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
 * {@link EgressEvent#toJsonLine(String)}, plus the line's number in the field {@value #SEQ_FIELD} (the enforcer's
 * {@code PodEnforcer.auditLine}); anything else in the log (the enforcer's own messages) is not an event.
 * Pure: no I/O.
 */
public final class AuditLines {
    /** The field that numbers the enforcer's audit lines (1, 2, 3, ... in the order it wrote them). */
    public static final String SEQ_FIELD = "seq";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One audit line read back.
     *
     * @param event the event
     * @param seq   the line's number, or 0 when the line carries none (an enforcer that does not number its lines)
     */
    public record Entry(EgressEvent event, long seq) {
    }

    private AuditLines() {
    }

    /**
     * The event of one log line, when it is an audit line of {@code sandbox}; empty for other lines, lines of
     * another sandbox, or malformed ones.
     */
    public static Optional<EgressEvent> parse(String line, String sandbox) {
        return entry(line, sandbox).map(Entry::event);
    }

    /**
     * As {@link #parse}, with the line's number.
     *
     * @param line    one line of the enforcer's log
     * @param sandbox the sandbox whose lines count
     * @return the entry, or empty for lines that are not audit lines of {@code sandbox}
     */
    public static Optional<Entry> entry(String line, String sandbox) {
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
            JsonNode seqNode = n.get(SEQ_FIELD);
            long seq = seqNode != null && seqNode.isIntegralNumber() && seqNode.canConvertToLong()
                    ? Math.max(0, seqNode.asLong()) : 0;
            EgressEvent event = switch (n.path("event").asText()) {
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
            };
            return event == null ? Optional.empty() : Optional.of(new Entry(event, seq));
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
