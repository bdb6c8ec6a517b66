package dev.sandbox4j.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.egress.EgressEvent;

/** The JSON line of an egress event ({@link EgressEvent#toJsonLine(String)}). */
public final class AuditJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditJson() {
    }

    /** One event as a JSON object on one line, without the newline. */
    public static String line(EgressEvent event, String sandbox) {
        ObjectNode n = JSON.createObjectNode();
        if (event instanceof EgressEvent.DnsDecision d) {
            n.put("event", "dns");
            n.put("time", d.time().toString());
            n.put("sandbox", sandbox);
            n.put("qname", d.qname());
            n.put("qtype", d.qtype());
            n.put("decision", d.verdict().name());
            n.put("rcode", d.rcode());
            n.put("rule", d.rule());
            ArrayNode answers = n.putArray("answers");
            d.answers().forEach(answers::add);
            n.put("ttl_ms", d.ttl().toMillis());
            n.put("upstream_ms", d.upstreamLatency().toMillis());
            n.put("reason", d.reason());
        } else if (event instanceof EgressEvent.DroppedConnections c) {
            n.put("event", "dropped");
            n.put("time", c.time().toString());
            n.put("sandbox", sandbox);
            n.put("counter", c.counter());
            n.put("packets", c.packets());
            n.put("bytes", c.bytes());
        } else if (event instanceof EgressEvent.QueriesShed s) {
            n.put("event", "shed");
            n.put("time", s.time().toString());
            n.put("sandbox", sandbox);
            n.put("count", s.count());
            n.put("reason", s.reason());
        } else if (event instanceof EgressEvent.EnforcementLost l) {
            n.put("event", "enforcement_lost");
            n.put("time", l.time().toString());
            n.put("sandbox", sandbox);
            n.put("reason", l.reason());
            n.put("action", l.action());
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an egress event", e);
        }
    }
}
