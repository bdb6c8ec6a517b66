package dev.sandbox4j.egress.internal.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends egress events to a file as JSON lines, one object per event, flushed per line. Subscribe it to an
 * {@link EgressLog} with {@link #attach}. Field names: {@code event} ("dns", "dropped", "shed"), {@code time}
 * (ISO-8601), {@code sandbox}, then the record's components; durations as milliseconds ({@code ttl_ms},
 * {@code upstream_ms}).
 */
public final class JsonLinesAuditWriter implements Consumer<EgressEvent>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesAuditWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String sandbox;
    private final BufferedWriter out;
    private AutoCloseable subscription = () -> { };
    private boolean closed;
    private long failures;

    /** Opens (creating or appending to) the file. */
    public JsonLinesAuditWriter(Path file, String sandbox) throws IOException {
        this.sandbox = sandbox;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Opens the file and subscribes to the log; closing the writer unsubscribes. */
    public static JsonLinesAuditWriter attach(EgressLog log, Path file, String sandbox) throws IOException {
        JsonLinesAuditWriter w = new JsonLinesAuditWriter(file, sandbox);
        w.subscription = log.subscribe(w);
        return w;
    }

    /** The JSON line for one event, without the newline. */
    public static String toJson(EgressEvent event, String sandbox) {
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

    @Override
    public synchronized void accept(EgressEvent event) {
        if (closed) {
            return;
        }
        try {
            out.write(toJson(event, sandbox));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            if (failures++ < 3) {
                LOG.warn("could not append an egress event to the audit file", e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.warn("could not unsubscribe the audit file writer", e);
        }
        out.close();
    }
}
