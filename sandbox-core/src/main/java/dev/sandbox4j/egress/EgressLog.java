package dev.sandbox4j.egress;

import java.util.List;
import java.util.function.Consumer;

/** The audit trail of one sandbox's egress decisions: recent events, and live events for subscribers. */
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

    /** {@return the events still held, oldest first (a bounded log keeps only the most recent ones); a snapshot} */
    List<EgressEvent> events();

    /**
     * Receives every later event, on the thread that records it, until the returned handle is closed. A listener
     * that throws is logged and skipped; it does not stop other listeners or the recorder.
     *
     * @param listener called with each event; must be quick, as it runs on the recording thread
     * @return a handle whose {@code close()} unsubscribes the listener
     */
    AutoCloseable subscribe(Consumer<EgressEvent> listener);

    /** {@return how many events a bounded log has discarded to make room; 0 for a log that keeps everything} */
    default long discardedEvents() {
        return 0;
    }
}
