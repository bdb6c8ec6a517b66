package dev.sandbox4j.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.internal.audit.JsonLinesAuditWriter;
import dev.sandbox4j.internal.DefaultSandbox;
import java.io.UncheckedIOException;
import java.util.Map;

/** JSON and text forms of what the CLI prints. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** The name Sandbox4j gave the sandbox (sb4j-...), or its id when the implementation does not say. */
    static String name(Sandbox sandbox) {
        return sandbox instanceof DefaultSandbox d ? d.name() : sandbox.id();
    }

    static ObjectNode sandbox(Sandbox sandbox) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", sandbox.id());
        n.put("name", name(sandbox));
        n.put("runtime", sandbox.runtimeName());
        n.set("ports", ports(sandbox.hostPorts()));
        return n;
    }

    static ObjectNode ports(Map<Integer, Integer> ports) {
        ObjectNode p = MAPPER.createObjectNode();
        ports.forEach((c, h) -> p.put(String.valueOf(c), h));
        return p;
    }

    /** One event as a JSON line, in the same form as the library's JSON-lines audit file. */
    static String event(EgressEvent e, String sandbox) {
        return JsonLinesAuditWriter.toJson(e, sandbox);
    }

    static JsonNode eventNode(EgressEvent e, String sandbox) {
        return read(event(e, sandbox));
    }

    /** One event as a line for people. */
    static String line(EgressEvent e) {
        if (e instanceof EgressEvent.DnsDecision d) {
            String outcome = d.answers().isEmpty() ? d.rcode() : String.join(",", d.answers());
            return "egress: " + d.verdict() + " " + d.qtype() + " " + d.qname() + " -> " + outcome
                    + (d.rule().isEmpty() ? "" : " (rule: " + d.rule() + ")");
        }
        if (e instanceof EgressEvent.DroppedConnections c) {
            return "egress: DROPPED " + c.packets() + " " + c.counter() + " packets (" + c.bytes() + " bytes)";
        }
        if (e instanceof EgressEvent.EnforcementLost l) {
            return "egress: ENFORCEMENT LOST: " + l.reason() + " (" + l.action() + ")";
        }
        EgressEvent.QueriesShed s = (EgressEvent.QueriesShed) e;
        return "egress: SHED " + s.count() + " queries: " + s.reason();
    }

    static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
