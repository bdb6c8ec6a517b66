package dev.sandbox4j.internal;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start sequence: image, egress, container, checks; and the cleanup of a start that failed. */
final class SandboxStarter {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxStarter.class);
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
    static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(30);

    private SandboxStarter() {
    }

    static Sandbox start(SandboxSpec spec, RuntimeBackend backend) {
        backend.validate(spec);
        checkFixedPortsFree(spec);
        Reaper.reapOnceInBackground(backend);
        long t0 = System.nanoTime();
        String image = backend.prepareImage(spec, BUILD_TIMEOUT);
        long tImage = System.nanoTime();
        String name = Ownership.newSandboxName();
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.putAll(Ownership.labels(name));
        if (spec.detached()) {
            labels.put(Ownership.DETACHED, "true");
            labels.put(Ownership.IMAGE, image);
        }

        EgressSession egress = null;
        ContainerInfo info = null;
        DefaultSandbox sandbox = null;
        try {
            if (!spec.egress().allowsEverything()) {
                egress = egressProvider(backend).prepare(spec, backend, name, labels);
            }
            long tEgress = System.nanoTime();
            LaunchRequest request = new LaunchRequest(spec, image, name, labels,
                    egress == null ? Optional.empty() : egress.network(),
                    egress == null ? List.of() : egress.dns(),
                    egress == null ? List.of() : egress.capDrop(),
                    egress == null ? List.of() : egress.mounts(),
                    egress == null ? Optional.empty() : egress.initImage());
            if (egress != null && egress.needsBeforeStart()) {
                EgressSession session = egress;
                info = backend.start(request, spec.startupTimeout(), created -> session.beforeStart(created, backend));
            } else {
                info = backend.start(request, spec.startupTimeout());
            }
            long tContainer = System.nanoTime();
            sandbox = new DefaultSandbox(spec, backend, info, egress);
            if (egress != null) {
                DefaultSandbox started = sandbox;
                egress.attached(info, backend, exec -> started.exec(exec, ExecListener.NONE));
            }
            long tAttached = System.nanoTime();
            LOG.debug("start of {}: image {} ms, egress setup {} ms, container {} ms, egress self-test {} ms", name,
                    (tImage - t0) / 1_000_000, (tEgress - tImage) / 1_000_000, (tContainer - tEgress) / 1_000_000,
                    (tAttached - tContainer) / 1_000_000);
            LOG.info("started sandbox {} ({}) from {} in {} ms", name, shortId(info.id()), image,
                    (System.nanoTime() - t0) / 1_000_000);
            return sandbox;
        } catch (RuntimeException e) {
            if (sandbox != null) {
                closeFailedSandbox(sandbox, e);
            } else {
                cleanupFailedStart(backend, info == null ? name : info.id(), egress, e);
            }
            if (e instanceof SandboxException) {
                throw e;
            }
            throw new SandboxStartException("sandbox " + name + " failed to start: " + e, e);
        } catch (Error e) {
            if (sandbox != null) {
                closeFailedSandbox(sandbox, e);
            } else {
                cleanupFailedStart(backend, info == null ? name : info.id(), egress, e);
            }
            throw e;
        }
    }

    /** A sandbox whose start failed after its container ran: closing it removes everything it had. */
    private static void closeFailedSandbox(DefaultSandbox sandbox, Throwable primary) {
        try {
            sandbox.close();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
            LOG.warn("could not remove sandbox {} after a failed start", sandbox.name(), e);
        }
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /**
     * Removes what a failed start made. Runs with the thread's interrupt flag cleared (and restores it), because
     * an interrupted start is exactly when cleanup must still run its CLI commands to the end.
     */
    private static void cleanupFailedStart(RuntimeBackend backend, String idOrName, EgressSession egress,
                                           Throwable primary) {
        boolean interrupted = Thread.interrupted();
        try {
            removeAfterFailedStart(backend, idOrName, egress, primary);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void removeAfterFailedStart(RuntimeBackend backend, String idOrName, EgressSession egress,
                                               Throwable primary) {
        try {
            backend.remove(idOrName, CLEANUP_TIMEOUT);
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
            LOG.warn("could not remove container {} after a failed start", idOrName, e);
        }
        if (egress != null) {
            try {
                egress.close();
            } catch (RuntimeException e) {
                primary.addSuppressed(e);
                LOG.warn("could not remove egress control of {} after a failed start", idOrName, e);
            }
        }
    }

    private static EgressProvider egressProvider(RuntimeBackend backend) {
        HostEnvironment host = HostEnvironment.current();
        List<String> reasons = new ArrayList<>();
        for (EgressProvider p : ServiceLoader.load(EgressProvider.class, SandboxStarter.class.getClassLoader())) {
            if (p.supports(backend, host)) {
                return p;
            }
            reasons.add(p.unsupportedReason(backend, host));
        }
        throw new SandboxConfigException(reasons.isEmpty()
                ? "this sandbox has an egress policy but no egress enforcement is on the class path: add the "
                        + "dev.sandbox4j:sandbox-egress dependency, or use EgressPolicy.allowAll()"
                : "egress control is not available: " + String.join("; ", reasons));
    }

    /** A fixed host port that is taken fails now, with a clear message, rather than deep inside the runtime. */
    private static void checkFixedPortsFree(SandboxSpec spec) {
        for (PortMapping p : spec.ports()) {
            if (p.hostPort() == 0 || !p.protocol().equals("tcp")) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(p.hostIp()), p.hostPort()));
            } catch (IOException e) {
                throw new SandboxConfigException("host port " + p.hostIp() + ":" + p.hostPort()
                        + " is already in use: choose another port or publish(" + p.containerPort()
                        + ") to get a free one");
            }
        }
    }
}
