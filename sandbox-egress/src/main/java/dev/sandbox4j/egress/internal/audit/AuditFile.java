package dev.sandbox4j.egress.internal.audit;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The optional JSON-lines audit file: when the system property {@code sandbox4j.egress.auditFile} (or the
 * environment variable {@code SANDBOX4J_EGRESS_AUDIT_FILE}) names a file, every policed sandbox appends each of
 * its egress events to it as one JSON object per line, with the sandbox's name in it.
 */
public final class AuditFile {
    /** The system property that names the audit file; it wins over {@link #ENV}. */
    public static final String PROPERTY = "sandbox4j.egress.auditFile";
    /** The environment variable that names the audit file when {@link #PROPERTY} is not set. */
    public static final String ENV = "SANDBOX4J_EGRESS_AUDIT_FILE";

    private AuditFile() {
    }

    /** {@return the configured file, if any} */
    public static Optional<Path> configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(ENV);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }

    /**
     * Subscribes a writer for the sandbox's log when a file is configured; close it with the sandbox.
     *
     * @param log     the sandbox's egress log
     * @param sandbox the sandbox's name, written on every line
     * @return the writer, or empty when no file is configured
     * @throws dev.sandbox4j.SandboxConfigException if the configured file cannot be opened
     */
    public static Optional<JsonLinesAuditWriter> attach(EgressLog log, String sandbox) {
        Optional<Path> file = configured();
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonLinesAuditWriter.attach(log, file.get(), sandbox));
        } catch (IOException e) {
            throw new SandboxConfigException("cannot open the egress audit file " + file.get() + " (set by "
                    + PROPERTY + " or " + ENV + "): " + e.getMessage(), e);
        }
    }
}
