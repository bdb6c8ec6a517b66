package dev.sandbox4j.egress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EgressLog} an egress enforcer writes to: keeps the most recent events in a bounded ring buffer
 * (counting what it discards), hands every event to subscribers, and logs it on the SLF4J logger
 * {@value #LOGGER} as {@code key=value} pairs (INFO; WARN for {@link EgressEvent.Verdict#FAILED} and shed
 * queries). Thread-safe.
 */
public final class EgressRecorder implements EgressLog {
    /** The SLF4J logger name of audit lines. */
    public static final String LOGGER = "dev.sandbox4j.egress.audit";
    /** Events a recorder keeps when no capacity is given. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
    private static final Logger LOG = LoggerFactory.getLogger(EgressRecorder.class);

    private final String sandbox;
    private final int capacity;
    private final ArrayDeque<EgressEvent> ring;
    private final CopyOnWriteArrayList<Consumer<EgressEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong discarded = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();

    /**
     * A recorder keeping {@value #DEFAULT_CAPACITY} events.
     *
     * @param sandbox the sandbox name written on every audit line
     * @throws IllegalArgumentException if {@code sandbox} is null
     */
    public EgressRecorder(String sandbox) {
        this(sandbox, DEFAULT_CAPACITY);
    }

    /**
     * A recorder keeping the {@code capacity} most recent events.
     *
     * @param sandbox  the sandbox name written on every audit line
     * @param capacity how many recent events {@link #events()} keeps, at least 1
     * @throws IllegalArgumentException if {@code sandbox} is null or {@code capacity} is below 1
     */
    public EgressRecorder(String sandbox, int capacity) {
        if (sandbox == null || capacity < 1) {
            throw new IllegalArgumentException("a recorder needs a sandbox name and a capacity of at least 1");
        }
        this.sandbox = sandbox;
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /**
     * Records an event: buffer, subscribers, audit logger. Never throws because of a listener.
     *
     * @param event the event to record
     */
    public void record(EgressEvent event) {
        synchronized (ring) {
            if (ring.size() == capacity) {
                ring.removeFirst();
                discarded.incrementAndGet();
            }
            ring.addLast(event);
        }
        log(event);
        for (Consumer<EgressEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                if (listenerFailures.getAndIncrement() < 10) {
                    LOG.warn("egress event listener {} failed; the event was still recorded", listener, e);
                }
            }
        }
    }

    @Override
    public List<EgressEvent> events() {
        synchronized (ring) {
            return List.copyOf(new ArrayList<>(ring));
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<EgressEvent> listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public long discardedEvents() {
        return discarded.get();
    }

    /** {@return how many times a listener threw} */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** {@return the sandbox name on audit lines} */
    public String sandbox() {
        return sandbox;
    }

    private void log(EgressEvent event) {
        if (event instanceof EgressEvent.DnsDecision d) {
            boolean warn = d.verdict() == EgressEvent.Verdict.FAILED;
            if (warn ? AUDIT.isWarnEnabled() : AUDIT.isInfoEnabled()) {
                String line = "event=dns sandbox=" + quote(sandbox) + " qname=" + quote(d.qname()) + " qtype="
                        + d.qtype() + " decision=" + d.verdict() + " rcode=" + d.rcode() + " rule=" + quote(d.rule())
                        + " answers=" + quote(String.join(",", d.answers())) + " ttl_s=" + d.ttl().toSeconds()
                        + " upstream_ms=" + d.upstreamLatency().toMillis() + " reason=" + quote(d.reason());
                if (warn) {
                    AUDIT.warn(line);
                } else {
                    AUDIT.info(line);
                }
            }
        } else if (event instanceof EgressEvent.DroppedConnections c) {
            AUDIT.info("event=dropped sandbox={} counter={} packets={} bytes={}", quote(sandbox), quote(c.counter()),
                    c.packets(), c.bytes());
        } else if (event instanceof EgressEvent.QueriesShed s) {
            AUDIT.warn("event=shed sandbox={} count={} reason={}", quote(sandbox), s.count(), quote(s.reason()));
        } else if (event instanceof EgressEvent.EnforcementLost l) {
            AUDIT.warn("event=enforcement_lost sandbox={} reason={} action={}", quote(sandbox), quote(l.reason()),
                    quote(l.action()));
        }
    }

    /** Quotes a value when it is empty or holds spaces, quotes, '=' or control characters. */
    static String quote(String v) {
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f;
        }
        if (plain) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < ' ' || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public String toString() {
        return "EgressRecorder[" + sandbox + ", capacity " + capacity + "]";
    }
}
