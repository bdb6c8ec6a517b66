package dev.sandbox4j.junit;

import dev.sandbox4j.Sandbox;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sandbox the extension started, kept in an extension store so that JUnit closes it when the scope ends.
 * Remembers whether a test that used it failed, which decides, with the cleanup mode, whether it is removed.
 */
final class Held implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sandbox4j.junit");

    private final String description;
    private final Sandbox sandbox;
    private final CleanupMode mode;
    private final Consumer<Held> onClose;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicBoolean reported = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    Held(String description, Sandbox sandbox, CleanupMode mode, Consumer<Held> onClose) {
        this.description = description;
        this.sandbox = sandbox;
        this.mode = mode;
        this.onClose = onClose;
    }

    Sandbox sandbox() {
        return sandbox;
    }

    String description() {
        return description;
    }

    /** Records that a test using this sandbox failed; returns true the first time it means the sandbox is kept. */
    boolean markFailed() {
        failed.set(true);
        return keeps() && reported.compareAndSet(false, true);
    }

    boolean keeps() {
        return mode == CleanupMode.NEVER || (mode == CleanupMode.ON_SUCCESS && failed.get());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (keeps()) {
                LOG.warn("keeping sandbox {} ({} container {}){}; remove it yourself when done", description,
                        sandbox.runtimeName(), sandbox.id(),
                        mode == CleanupMode.NEVER ? " (cleanup mode NEVER)" : " because a test that used it failed");
                return;
            }
            sandbox.close();
        } finally {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return description + " (" + sandbox.id() + ")";
    }
}
