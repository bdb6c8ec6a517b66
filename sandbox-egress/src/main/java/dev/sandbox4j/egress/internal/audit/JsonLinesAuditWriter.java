package dev.sandbox4j.egress.internal.audit;

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

    private final String sandbox;
    private final BufferedWriter out;
    private AutoCloseable subscription = () -> { };
    private boolean closed;
    private long failures;

    /**
     * Opens (creating or appending to) the file.
     *
     * @param file    the JSON-lines file
     * @param sandbox the sandbox's name, written on every line
     * @throws IOException if the file cannot be opened for appending
     */
    public JsonLinesAuditWriter(Path file, String sandbox) throws IOException {
        this.sandbox = sandbox;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /**
     * Opens the file and subscribes to the log; closing the writer unsubscribes.
     *
     * @param log     the sandbox's egress log
     * @param file    the JSON-lines file
     * @param sandbox the sandbox's name, written on every line
     * @return the subscribed writer
     * @throws IOException if the file cannot be opened for appending
     */
    public static JsonLinesAuditWriter attach(EgressLog log, Path file, String sandbox) throws IOException {
        JsonLinesAuditWriter w = new JsonLinesAuditWriter(file, sandbox);
        w.subscription = log.subscribe(w);
        return w;
    }

    /**
     * The JSON line for one event, without the newline: {@link EgressEvent#toJsonLine(String)}.
     *
     * @param event   the event
     * @param sandbox the sandbox's name
     * @return the JSON object on one line
     */
    public static String toJson(EgressEvent event, String sandbox) {
        return event.toJsonLine(sandbox);
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
