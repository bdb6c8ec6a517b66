package dev.sandbox4j.mcp;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxClosedException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressEvent;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one sandbox of an MCP session: started by the first tool call that needs it, closed with the session. A
 * sandbox closed earlier by the spec's idle timeout or maximum lifetime is replaced by a fresh one on the next call.
 * Egress events go to the exchange of the latest tool call.
 */
final class SessionSandbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionSandbox.class);

    private final SandboxSpec spec;
    private final BiConsumer<McpSyncServerExchange, EgressEvent> egressListener;
    private final AtomicReference<McpSyncServerExchange> exchange = new AtomicReference<>();
    private Sandbox sandbox;
    private AutoCloseable subscription;
    private boolean closed;

    SessionSandbox(SandboxSpec spec, BiConsumer<McpSyncServerExchange, EgressEvent> egressListener) {
        this.spec = spec;
        this.egressListener = egressListener;
    }

    /** The session's sandbox, started now if this is the first call that needs it. */
    synchronized Sandbox get(McpSyncServerExchange caller) {
        if (closed) {
            throw new SandboxClosedException("the MCP session has ended");
        }
        if (caller != null) {
            exchange.set(caller);
        }
        if (sandbox != null && sandbox.isClosed()) {
            // closed by the spec's idleTimeout or maxLifetime: the session goes on in a fresh sandbox
            LOG.info("session sandbox {} was closed by its lifetime limits; starting a new one", sandbox.id());
            closeSubscription();
            sandbox = null;
        }
        if (sandbox == null) {
            sandbox = spec.start();
            LOG.info("session sandbox {} started", sandbox.id());
            subscription = sandbox.egressLog().subscribe(event -> {
                McpSyncServerExchange ex = exchange.get();
                if (ex != null) {
                    egressListener.accept(ex, event);
                }
            });
        }
        return sandbox;
    }

    /** The sandbox if one was started; never starts one. */
    synchronized Optional<Sandbox> current() {
        return Optional.ofNullable(sandbox);
    }

    /** Removes the sandbox (if one was started); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeSubscription();
        if (sandbox != null) {
            sandbox.close();
            LOG.info("session sandbox {} removed", sandbox.id());
        }
    }

    private void closeSubscription() {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.debug("egress subscription: {}", e.toString());
            }
            subscription = null;
        }
    }
}
