package dev.sandbox4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.egress.EgressEvent;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** JSON and text forms of what the CLI prints. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode sandbox(Sandbox sandbox) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", sandbox.id());
        n.put("name", sandbox.name());
        n.put("runtime", sandbox.runtimeName());
        n.set("ports", ports(sandbox.hostPorts()));
        return n;
    }

    /** A sandbox as {@code ls --json} and {@code inspect} print it. */
    static ObjectNode info(SandboxInfo s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", s.id());
        n.put("name", s.name());
        n.put("runtime", s.runtime());
        n.put("running", s.running());
        n.put("owner", s.owner());
        n.put("ownerAlive", s.ownerAlive());
        n.put("detached", s.detached());
        n.put("kept", KeptSandboxes.isKept(s));
        n.set("ports", ports(s.ports()));
        ObjectNode labels = n.putObject("labels");
        new TreeMap<>(s.labels()).forEach(labels::put);
        return n;
    }

    static ObjectNode ports(Map<Integer, Integer> ports) {
        ObjectNode p = MAPPER.createObjectNode();
        new TreeMap<>(ports).forEach((c, h) -> p.put(String.valueOf(c), h));
        return p;
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

    static String pretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
