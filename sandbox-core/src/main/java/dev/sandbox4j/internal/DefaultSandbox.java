package dev.sandbox4j.internal;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxClosedException;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.RuntimeBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Sandbox} every backend hands out: spec, backend, container and egress session. */
public final class DefaultSandbox implements Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSandbox.class);
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration LOGS_TIMEOUT = Duration.ofMinutes(1);
    private static final Set<DefaultSandbox> OPEN = ConcurrentHashMap.newKeySet();

    static {
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(DefaultSandbox::closeAllOpen,
                "sandbox4j-shutdown"));
    }

    private final SandboxSpec spec;
    private final RuntimeBackend backend;
    private final ContainerInfo container;
    private final EgressSession egress;
    private final AtomicBoolean closed = new AtomicBoolean();

    DefaultSandbox(SandboxSpec spec, RuntimeBackend backend, ContainerInfo container, EgressSession egress) {
        this.spec = spec;
        this.backend = backend;
        this.container = container;
        this.egress = egress;
        OPEN.add(this);
    }

    @Override
    public String id() {
        return container.id();
    }

    /** The name Sandbox4j gave the container. */
    public String name() {
        return container.name();
    }

    @Override
    public SandboxSpec spec() {
        return spec;
    }

    @Override
    public String runtimeName() {
        return backend.name();
    }

    @Override
    public ExecResult exec(Exec exec, ExecListener listener) {
        requireOpen("exec");
        return backend.exec(container.id(), exec, listener);
    }

    @Override
    public int hostPort(int containerPort) {
        Integer port = container.hostPorts().get(containerPort);
        if (port == null) {
            throw new SandboxConfigException("container port " + containerPort + " is not published; published: "
                    + container.hostPorts().keySet() + ". Add publish(" + containerPort + ") to the spec");
        }
        return port;
    }

    @Override
    public Map<Integer, Integer> hostPorts() {
        return container.hostPorts();
    }

    @Override
    public void copyTo(Path source, String target) {
        requireOpen("copyTo");
        if (!Files.exists(source)) {
            throw new SandboxConfigException("cannot copy " + source + " into the sandbox: it does not exist");
        }
        if (!target.startsWith("/")) {
            throw new SandboxConfigException("copy target \"" + target + "\" must be an absolute path in the sandbox");
        }
        backend.copyTo(container.id(), source.toAbsolutePath(), target, COPY_TIMEOUT);
    }

    @Override
    public void copyFrom(String source, Path target) {
        requireOpen("copyFrom");
        if (!source.startsWith("/")) {
            throw new SandboxConfigException("copy source \"" + source + "\" must be an absolute path in the sandbox");
        }
        backend.copyFrom(container.id(), source, target.toAbsolutePath(), COPY_TIMEOUT);
    }

    @Override
    public String logs() {
        requireOpen("logs");
        return backend.logs(container.id(), LOGS_TIMEOUT);
    }

    @Override
    public EgressLog egressLog() {
        return egress == null ? EgressLog.NONE : egress.log();
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    private void requireOpen(String operation) {
        if (closed.get()) {
            throw new SandboxClosedException("cannot " + operation + ": sandbox " + container.name()
                    + " is closed. Start a new sandbox");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        OPEN.remove(this);
        RuntimeException failure = null;
        try {
            backend.remove(container.id(), SandboxStarter.CLEANUP_TIMEOUT);
        } catch (RuntimeException e) {
            failure = e;
            LOG.warn("could not remove container {}", container.name(), e);
        }
        if (egress != null) {
            try {
                egress.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
                LOG.warn("could not remove egress control of {}", container.name(), e);
            }
        }
        LOG.info("closed sandbox {}", container.name());
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeAllOpen() {
        for (DefaultSandbox s : OPEN) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("could not close sandbox {} at JVM exit", s.name(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "Sandbox{" + container.name() + ", " + backend.name() + (closed.get() ? ", closed" : "") + "}";
    }
}
