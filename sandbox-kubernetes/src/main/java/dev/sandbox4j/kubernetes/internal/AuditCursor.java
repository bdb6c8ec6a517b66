package dev.sandbox4j.kubernetes.internal;

import dev.sandbox4j.egress.EgressEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Where a reader of the enforcer's log stands, across the log streams it opens one after the other: lets each audit
 * line through once, and says from when to ask for the log again after a stream was cut. A line the enforcer
 * numbered ({@link AuditLines#SEQ_FIELD}) passes only if its number is above every number seen; a skipped number is
 * counted as a gap (lines the log no longer held). A line without a number (an enforcer that does not number its
 * lines) passes unless the same text passed within the replay window before the resume point. Pure: no I/O, not
 * thread-safe.
 */
public final class AuditCursor {
    /**
     * How far before the newest event seen a reconnect asks the log to start: the API filters by the log's own time
     * stamps, taken when the line was written, at or after the event's time; this covers the rounding down to whole
     * seconds and any skew between the two clocks of one node.
     */
    public static final Duration REPLAY = Duration.ofSeconds(2);
    private final String sandbox;
    private long lastSeq;
    private long gaps;
    private Instant newest;
    private final ArrayDeque<Unnumbered> recent = new ArrayDeque<>();
    private final Set<String> recentTexts = new HashSet<>();

    private record Unnumbered(Instant time, String text) {
    }

    /**
     * A cursor that has seen nothing yet.
     *
     * @param sandbox the sandbox whose lines count (lines of any other sandbox are not events)
     */
    public AuditCursor(String sandbox) {
        this.sandbox = sandbox;
    }

    /**
     * The event of one log line, if it is an audit line of the sandbox that has not passed before.
     *
     * @param line one line of the enforcer's log
     * @return the event, or empty for other lines and for lines seen before
     */
    public Optional<EgressEvent> accept(String line) {
        Optional<AuditLines.Entry> parsed = AuditLines.entry(line, sandbox);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        AuditLines.Entry entry = parsed.get();
        EgressEvent event = entry.event();
        if (entry.seq() > 0) {
            if (entry.seq() <= lastSeq) {
                return Optional.empty();
            }
            gaps += entry.seq() - lastSeq - 1;
            lastSeq = entry.seq();
        } else {
            String text = line.strip();
            if (recentTexts.contains(text)) {
                return Optional.empty();
            }
            recent.addLast(new Unnumbered(event.time(), text));
            recentTexts.add(text);
        }
        if (newest == null || event.time().isAfter(newest)) {
            newest = event.time();
            forgetBefore(newest.minus(REPLAY.multipliedBy(3)));
        }
        return Optional.of(event);
    }

    private void forgetBefore(Instant limit) {
        while (!recent.isEmpty() && recent.peekFirst().time().isBefore(limit)) {
            recentTexts.remove(recent.removeFirst().text());
        }
    }

    /**
     * {@return when the next log stream should start: {@link #REPLAY} before the newest event seen, in whole
     * seconds (the resolution of the API's {@code sinceTime}); empty while nothing was seen, meaning from the
     * start}
     */
    public Optional<Instant> resumeFrom() {
        return newest == null ? Optional.empty()
                : Optional.of(newest.minus(REPLAY).truncatedTo(ChronoUnit.SECONDS));
    }

    /** {@return the highest line number seen, 0 before any} */
    public long lastSeq() {
        return lastSeq;
    }

    /** {@return how many numbered lines were never seen although later ones were} */
    public long gaps() {
        return gaps;
    }
}
