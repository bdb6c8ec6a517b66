package dev.sandbox4j.internal;

import dev.sandbox4j.BackgroundProcess;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.LogStream;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxClosedException;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.internal.session.BackgroundCommand;
import dev.sandbox4j.internal.session.ExecSessions;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.RuntimeBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Sandbox} every backend hands out: spec, backend, container, egress session, the exec sessions that
 * run {@link ExecMode#SESSION} execs, and the background processes started in it.
 */
public final class DefaultSandbox implements Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSandbox.class);
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration LOGS_TIMEOUT = Duration.ofMinutes(1);
    private static final Set<DefaultSandbox> OPEN = ConcurrentHashMap.newKeySet();
    /** Sandboxes whose close() is under way: JVM exit waits for them too, so a removal is never cut off halfway. */
    private static final Set<DefaultSandbox> CLOSING = ConcurrentHashMap.newKeySet();
    /** How long the shutdown hook waits for open sandboxes to close. */
    static final Duration SHUTDOWN_BUDGET = Duration.ofSeconds(20);

    static {
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(DefaultSandbox::closeAllOpen,
                "sandbox4j-shutdown"));
    }

    private final SandboxSpec spec;
    private final RuntimeBackend backend;
    private final ContainerInfo container;
    private final EgressSession egress;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.CountDownLatch removed = new java.util.concurrent.CountDownLatch(1);
    private final ExecSessions sessions;
    private final Set<BackgroundCommand> background = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger inUse = new java.util.concurrent.atomic.AtomicInteger();
    private final Lifetimes.Lease lease;
    private volatile String expiredBecause;

    DefaultSandbox(SandboxSpec spec, RuntimeBackend backend, ContainerInfo container, EgressSession egress) {
        this.spec = spec;
        this.backend = backend;
        this.container = container;
        this.egress = egress;
        this.sessions = new ExecSessions(backend, container.id());
        if (!spec.detached()) {
            OPEN.add(this);
        }
        this.lease = spec.idleTimeout().isPresent() || spec.maxLifetime().isPresent()
                ? Lifetimes.watch(container.name(), spec.idleTimeout(), spec.maxLifetime(),
                        () -> inUse.get() > 0 || !background.isEmpty(), this::expire)
                : null;
    }

    private void expire(String why) {
        expiredBecause = why;
        close();
    }

    /** Marks the sandbox in use until {@link #endUse()}; restarts its idle clock both times. */
    private void beginUse() {
        inUse.incrementAndGet();
        if (lease != null) {
            lease.touch();
        }
    }

    private void endUse() {
        inUse.decrementAndGet();
        if (lease != null) {
            lease.touch();
        }
    }

    /**
     * A handle on a running detached sandbox, found by container id (or a unique prefix of at least 12
     * characters) or name. Its spec holds what the runtime recorded: image, labels, runtime, detached and
     * allow-all egress (mounts, env and limits are in effect but not reported). Closing it removes the container.
     */
    static DefaultSandbox attach(RuntimeBackend backend, String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            throw new SandboxConfigException("attach needs a sandbox id or name, such as sb4j-3f2a9c01b2d4");
        }
        List<ContainerInfo> managed = backend.list(Map.of(Ownership.MANAGED, "true"), LOGS_TIMEOUT);
        List<ContainerInfo> matches = managed.stream().filter(c -> c.name().equals(idOrName)
                || (idOrName.length() >= 12 && c.id().startsWith(idOrName))).toList();
        if (matches.size() != 1) {
            throw new SandboxConfigException(matches.isEmpty()
                    ? "no sandbox with id or name \"" + idOrName + "\" on " + backend.name()
                            + ": it was closed, reaped, or never existed"
                    : "\"" + idOrName + "\" matches " + matches.size() + " sandboxes: give the full id");
        }
        ContainerInfo c = matches.get(0);
        if (!"true".equals(c.labels().get(Ownership.DETACHED))) {
            throw new SandboxConfigException("sandbox " + c.name() + " is not detached: it belongs to the JVM that "
                    + "started it (owner " + c.labels().get(Ownership.OWNER) + ") and goes away with it. Start "
                    + "sandboxes with detached(true) to attach to them from another JVM");
        }
        Map<String, String> userLabels = new java.util.LinkedHashMap<>(c.labels());
        userLabels.keySet().removeIf(k -> k.startsWith(SandboxSpec.LABEL_PREFIX) || k.startsWith("io.")
                || k.startsWith("org."));
        SandboxSpec.Builder b = dev.sandbox4j.Sandbox.builder()
                .image(c.labels().getOrDefault(Ownership.IMAGE, "unknown"))
                .runtime(backend.name())
                .egress(dev.sandbox4j.egress.EgressPolicy.allowAll())
                .detached(true);
        userLabels.forEach(b::label);
        DefaultSandbox sandbox = new DefaultSandbox(b.build(), backend, c, null);
        LOG.info("attached to detached sandbox {} ({})", c.name(), SandboxStarter.shortId(c.id()));
        return sandbox;
    }

    /** The exec sessions of this sandbox. */
    public ExecSessions sessions() {
        return sessions;
    }

    @Override
    public String id() {
        return container.id();
    }

    @Override
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
        beginUse();
        try {
            return execInUse(exec, listener);
        } finally {
            endUse();
        }
    }

    private ExecResult execInUse(Exec exec, ExecListener listener) {
        requireOpen("exec");
        requireTtySupport(backend, exec);
        if (exec.mode() == ExecMode.SESSION && !exec.tty() && runsAsSandboxUser(exec)) {
            Optional<ExecResult> r = sessions.exec(exec, listener);
            if (r.isPresent()) {
                return r.get();
            }
        }
        return backend.exec(container.id(), exec, listener);
    }

    /** Refuses a terminal the backend would not give, rather than run the command without one. */
    static void requireTtySupport(RuntimeBackend backend, Exec exec) {
        if (exec.tty() && !backend.supportsTty()) {
            throw new SandboxConfigException("the " + backend.name() + " runtime cannot run a command on a terminal "
                    + "(tty): leave tty unset");
        }
    }

    private boolean runsAsSandboxUser(Exec exec) {
        return exec.user().isEmpty() || exec.user().equals(spec.user());
    }

    @Override
    public BackgroundProcess start(Exec exec, ExecListener listener) {
        requireOpen("start");
        if (exec.tty()) {
            throw new SandboxConfigException("a background process cannot have a terminal (tty): leave tty unset for "
                    + "start(...), or run the command with exec(...)");
        }
        if (lease != null) {
            lease.touch();
        }
        String user = runsAsSandboxUser(exec) ? "" : exec.user().orElseThrow();
        BackgroundCommand[] self = new BackgroundCommand[1];
        BackgroundCommand handle = BackgroundCommand.start(backend, container.id(), user, exec, listener,
                kill -> exec(kill, ExecListener.NONE), () -> {
                    if (self[0] != null) {
                        background.remove(self[0]);
                    }
                });
        self[0] = handle;
        background.add(handle);
        if (closed.get()) {
            background.remove(handle);
            handle.close(false);
            throw new SandboxClosedException("cannot start: sandbox " + container.name() + " was closed meanwhile");
        }
        return handle;
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
        beginUse();
        try {
            backend.copyTo(container.id(), source.toAbsolutePath(), target, COPY_TIMEOUT);
        } finally {
            endUse();
        }
    }

    @Override
    public void copyFrom(String source, Path target) {
        requireOpen("copyFrom");
        if (!source.startsWith("/")) {
            throw new SandboxConfigException("copy source \"" + source + "\" must be an absolute path in the sandbox");
        }
        beginUse();
        try {
            backend.copyFrom(container.id(), source, target.toAbsolutePath(), COPY_TIMEOUT);
        } finally {
            endUse();
        }
    }

    @Override
    public String logs() {
        requireOpen("logs");
        return backend.logs(container.id(), LOGS_TIMEOUT);
    }

    @Override
    public LogStream followLogs(ExecListener listener) {
        requireOpen("followLogs");
        return FollowedLogs.start(backend.followLogs(container.id(), -1), listener, container.name());
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
            String why = expiredBecause;
            throw new SandboxClosedException("cannot " + operation + ": sandbox " + container.name()
                    + (why == null ? " is closed" : " was closed because it " + why) + ". Start a new sandbox");
        }
    }

    /**
     * Removes the container, then its egress control (interceptor, firewall table, network): in that order, so
     * the rules outlive the workload. Runs with the thread's interrupt flag cleared and restores it afterwards, so
     * a thread that was interrupted (say, in {@code exec}) still cleans up completely in its
     * try-with-resources.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        CLOSING.add(this);
        OPEN.remove(this);
        boolean interrupted = Thread.interrupted();
        try {
            if (lease != null) {
                lease.cancel();
            }
            remove();
        } finally {
            CLOSING.remove(this);
            removed.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void remove() {
        RuntimeException failure = null;
        List<BackgroundCommand> running = new ArrayList<>(background);
        background.clear();
        for (BackgroundCommand b : running) {
            try {
                b.close(false);  // the container is removed below, and everything in it with it
            } catch (RuntimeException e) {
                failure = add(failure, e);
                LOG.warn("could not close background process {} of {}", b, container.name(), e);
            }
        }
        try {
            backend.remove(container.id(), SandboxStarter.CLEANUP_TIMEOUT);
        } catch (RuntimeException e) {
            failure = add(failure, e);
            LOG.warn("could not remove container {}", container.name(), e);
        }
        // after the container: its removal ends the sessions' CLI processes, which a kill would otherwise wait for
        try {
            sessions.close();
        } catch (RuntimeException e) {
            failure = add(failure, e);
            LOG.warn("could not close the exec sessions of {}", container.name(), e);
        }
        if (egress != null) {
            try {
                egress.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
                LOG.warn("could not remove egress control of {}", container.name(), e);
            }
        }
        LOG.info("closed sandbox {}", container.name());
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException failure, RuntimeException e) {
        if (failure == null) {
            return e;
        }
        failure.addSuppressed(e);
        return failure;
    }

    /**
     * The JVM shutdown hook: closes every open sandbox in parallel (container, then its egress control) and gives
     * up after {@link #SHUTDOWN_BUDGET}, so JVM exit never hangs on a stuck runtime. Whatever is left then carries
     * a dead owner and is removed by the next JVM's orphan reaping.
     */
    private static void closeAllOpen() {
        List<Thread> closers = new ArrayList<>();
        for (DefaultSandbox s : List.copyOf(OPEN)) {
            Thread t = new Thread(() -> {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    LOG.warn("could not close sandbox {} at JVM exit", s.name(), e);
                }
            }, "sandbox4j-shutdown-" + s.name());
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        for (DefaultSandbox s : List.copyOf(CLOSING)) {
            Thread t = new Thread(() -> {
                try {
                    s.removed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "sandbox4j-shutdown-wait-" + s.name());
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        long deadline = System.nanoTime() + SHUTDOWN_BUDGET.toNanos();
        for (Thread t : closers) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (closers.stream().anyMatch(Thread::isAlive)) {
            LOG.warn("sandboxes still closing after {} s at JVM exit; the next start() reaps what is left",
                    SHUTDOWN_BUDGET.toSeconds());
        }
    }

    @Override
    public String toString() {
        return "Sandbox{" + container.name() + ", " + backend.name() + (closed.get() ? ", closed" : "") + "}";
    }
}
