package dev.sandbox4j;

import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.internal.Lifetimes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox per conversation: what an agent framework needs to give each chat (a LangChain4j {@code @MemoryId},
 * an MCP session, a Spring AI conversation id) a sandbox of its own that keeps its files between tool calls. The
 * first {@link #get(Object)} for an id takes a sandbox from a {@link SandboxPool} (started ahead of need); later
 * calls for the same id return the same one. A conversation's sandbox is closed when it has not been used for
 * the {@linkplain Builder#idleTimeout(Duration) idle timeout}, by {@link #close(Object)}, or when the registry is
 * closed; the next {@code get} for that id then starts afresh.
 *
 * <pre>{@code
 * try (ConversationSandboxes sandboxes = ConversationSandboxes.builder(spec)
 *         .poolSize(2)
 *         .idleTimeout(Duration.ofMinutes(15))
 *         .build()) {
 *     Sandbox sandbox = sandboxes.get(memoryId);
 *     sandbox.exec("sh", "-c", "ls /work");
 * }
 * }</pre>
 *
 * Idle time is tracked by one timer thread shared by the whole JVM, not a thread per conversation. Safe for use
 * from several threads; two first calls for one id at once start one sandbox.
 */
public final class ConversationSandboxes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConversationSandboxes.class);
    /** How long a conversation's sandbox may sit unused unless set otherwise: 15 minutes. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(15);

    private final SandboxPool pool;
    private final Duration idleTimeout;
    private final Map<Object, Conversation> conversations = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConversationSandboxes(Builder b) {
        this.idleTimeout = b.idleTimeout;
        this.pool = SandboxPool.builder(b.spec).size(b.poolSize).build();
    }

    /**
     * A builder for a registry whose sandboxes are started from {@code spec}.
     *
     * @param spec the spec every conversation's sandbox is started from
     * @return a new builder
     * @throws SandboxConfigException if {@code spec} is null
     */
    public static Builder builder(SandboxSpec spec) {
        return new Builder(spec);
    }

    /**
     * The sandbox of conversation {@code id}, taken from the pool on first use (or after the previous one was
     * closed). Each call counts as use. Closing the returned sandbox ends the conversation's sandbox.
     *
     * @param id the conversation's id (such as a chat memory or session id), compared with {@code equals}
     * @return the conversation's open sandbox
     * @throws SandboxConfigException if {@code id} is null
     * @throws SandboxClosedException if this registry is closed
     * @throws SandboxException if a new sandbox could not be started
     */
    public Sandbox get(Object id) {
        if (id == null) {
            throw new SandboxConfigException("a conversation id must not be null: pass the memory or session id");
        }
        while (true) {
            if (closed.get()) {
                throw new SandboxClosedException("these conversation sandboxes are closed");
            }
            Conversation c = conversations.computeIfAbsent(id, this::open);
            if (!c.isClosed()) {
                c.lease.touch();
                return c;
            }
            conversations.remove(id, c);
        }
    }

    /**
     * The sandbox of conversation {@code id} if it has one open; does not start one and does not count as use.
     *
     * @param id the conversation's id; {@code null} finds nothing
     * @return the open sandbox, or empty
     */
    public Optional<Sandbox> find(Object id) {
        Conversation c = id == null ? null : conversations.get(id);
        return c == null || c.isClosed() ? Optional.empty() : Optional.of(c);
    }

    /** {@return the ids of conversations that have an open sandbox; an unmodifiable snapshot} */
    public Set<Object> conversations() {
        List<Object> open = new ArrayList<>();
        conversations.forEach((id, c) -> {
            if (!c.isClosed()) {
                open.add(id);
            }
        });
        return Set.copyOf(open);
    }

    /**
     * Closes the sandbox of conversation {@code id}, if it has one; idempotent.
     *
     * @param id the conversation's id; {@code null} does nothing
     */
    public void close(Object id) {
        Conversation c = id == null ? null : conversations.remove(id);
        if (c != null) {
            c.close();
        }
    }

    /** Closes every conversation's sandbox and the pool. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        for (Object id : List.copyOf(conversations.keySet())) {
            try {
                close(id);
            } catch (RuntimeException e) {
                LOG.warn("could not close the sandbox of conversation {}", id, e);
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        pool.close();
        if (failure != null) {
            throw failure;
        }
    }

    private Conversation open(Object id) {
        Sandbox sandbox = pool.acquire();
        LOG.info("conversation {} has sandbox {}", id, sandbox.id());
        return new Conversation(id, sandbox);
    }

    /** A conversation's sandbox: every call counts as use; closing it ends the conversation's sandbox. */
    private final class Conversation implements Sandbox {
        private final Object conversationId;
        private final Sandbox delegate;
        private final String id;
        private final Lifetimes.Lease lease;
        private final AtomicInteger inUse = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();

        Conversation(Object conversationId, Sandbox delegate) {
            this.conversationId = conversationId;
            this.delegate = delegate;
            this.id = delegate.id();
            this.lease = Lifetimes.watch("of conversation " + conversationId, Optional.of(idleTimeout),
                    Optional.empty(), () -> inUse.get() > 0, why -> {
                        conversations.remove(conversationId, this);
                        close();
                    });
        }

        private void begin() {
            inUse.incrementAndGet();
            lease.touch();
        }

        private void end() {
            inUse.decrementAndGet();
            lease.touch();
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public SandboxSpec spec() {
            return delegate.spec();
        }

        @Override
        public String runtimeName() {
            return delegate.runtimeName();
        }

        @Override
        public ExecResult exec(Exec exec, ExecListener listener) {
            begin();
            try {
                return delegate.exec(exec, listener);
            } finally {
                end();
            }
        }

        @Override
        public BackgroundProcess start(Exec exec, ExecListener listener) {
            lease.touch();
            return delegate.start(exec, listener);
        }

        @Override
        public int hostPort(int containerPort) {
            return delegate.hostPort(containerPort);
        }

        @Override
        public Map<Integer, Integer> hostPorts() {
            return delegate.hostPorts();
        }

        @Override
        public void copyTo(Path source, String target) {
            begin();
            try {
                delegate.copyTo(source, target);
            } finally {
                end();
            }
        }

        @Override
        public void copyFrom(String source, Path target) {
            begin();
            try {
                delegate.copyFrom(source, target);
            } finally {
                end();
            }
        }

        @Override
        public String logs() {
            return delegate.logs();
        }

        @Override
        public LogStream followLogs(ExecListener listener) {
            return delegate.followLogs(listener);
        }

        @Override
        public EgressLog egressLog() {
            return delegate.egressLog();
        }

        @Override
        public boolean isClosed() {
            return closed.get() || delegate.isClosed();
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            lease.cancel();
            conversations.remove(conversationId, this);
            delegate.close();
        }

        @Override
        public String toString() {
            return "ConversationSandbox{" + conversationId + ", " + delegate + "}";
        }
    }

    /** Builder for {@link ConversationSandboxes}; each setter says its default. */
    public static final class Builder {
        private final SandboxSpec spec;
        private int poolSize = 1;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

        private Builder(SandboxSpec spec) {
            if (spec == null) {
                throw new SandboxConfigException("conversation sandboxes need a spec: "
                        + "ConversationSandboxes.builder(Sandbox.builder()...build())");
            }
            this.spec = spec;
        }

        /**
         * Sandboxes kept started ahead of the next new conversation; default 1. 0 starts each on demand.
         *
         * @param size 0 to 256
         * @return this builder
         * @throws SandboxConfigException if {@code size} is out of range
         */
        public Builder poolSize(int size) {
            if (size < 0 || size > 256) {
                throw new SandboxConfigException("pool size must be between 0 and 256, got " + size);
            }
            this.poolSize = size;
            return this;
        }

        /**
         * Closes a conversation's sandbox after it was not used this long; default 15 minutes; at least 1 second.
         *
         * @param timeout the idle time
         * @return this builder
         * @throws SandboxConfigException if {@code timeout} is null or shorter than 1 second
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout == null || timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new SandboxConfigException("idleTimeout must be at least 1 second, got " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Makes the registry and starts filling its pool in the background.
         *
         * @return the registry; close it to close every sandbox it holds
         */
        public ConversationSandboxes build() {
            return new ConversationSandboxes(this);
        }
    }
}
