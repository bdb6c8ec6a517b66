package dev.sandbox4j.egress;

import java.util.List;
import java.util.function.Consumer;

/** The audit trail of one sandbox's egress decisions. Placeholder until the egress module lands. */
public interface EgressLog {
    /** A log that records nothing, for sandboxes without egress control. */
    EgressLog NONE = new EgressLog() {
        @Override
        public List<EgressEvent> events() {
            return List.of();
        }

        @Override
        public AutoCloseable subscribe(Consumer<EgressEvent> listener) {
            return () -> { };
        }
    };

    /** Events so far, oldest first. */
    List<EgressEvent> events();

    /** Receives every later event until the returned handle is closed. */
    AutoCloseable subscribe(Consumer<EgressEvent> listener);
}
