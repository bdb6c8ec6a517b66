package dev.sandbox4j.internal;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RuntimeBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sandboxes of one runtime, found by Sandbox4j's labels: listing, finding, removing one, and reaping. */
public final class SandboxDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxDirectory.class);
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The shortest id prefix that {@link #find} accepts. */
    static final int MIN_PREFIX = 3;

    private SandboxDirectory() {
    }

    /** Every managed container, as public records. */
    public static List<SandboxInfo> list(RuntimeBackend backend) {
        return backend.list(Map.of(Ownership.MANAGED, "true"), TIMEOUT).stream()
                .map(c -> info(backend.name(), c)).toList();
    }

    /** The sandbox with that name or id, or the one whose id starts with it. */
    public static Optional<SandboxInfo> find(RuntimeBackend backend, String idOrPrefix) {
        return findContainer(backend, idOrPrefix).map(c -> info(backend.name(), c));
    }

    private static Optional<ContainerInfo> findContainer(RuntimeBackend backend, String idOrPrefix) {
        if (idOrPrefix == null || idOrPrefix.isBlank()) {
            throw new SandboxConfigException("give a sandbox id (or a prefix of " + MIN_PREFIX
                    + "+ characters) or name, such as sb4j-3f2a9c01b2d4");
        }
        List<ContainerInfo> prefixed = new ArrayList<>();
        for (ContainerInfo c : backend.list(Map.of(Ownership.MANAGED, "true"), TIMEOUT)) {
            if (c.name().equals(idOrPrefix) || c.id().equals(idOrPrefix)) {
                return Optional.of(c);
            }
            if (idOrPrefix.length() >= MIN_PREFIX && c.id().startsWith(idOrPrefix)) {
                prefixed.add(c);
            }
        }
        if (prefixed.size() > 1) {
            throw new SandboxConfigException("\"" + idOrPrefix + "\" matches " + prefixed.size()
                    + " sandboxes: give more of the id");
        }
        return prefixed.stream().findFirst();
    }

    /**
     * Removes one sandbox: container, then host state (firewall tables), then networks. Failures after the
     * container is gone are reported, not thrown.
     */
    public static ReapReport remove(RuntimeBackend backend, String idOrName) {
        ContainerInfo c = findContainer(backend, idOrName).orElseThrow(() -> new SandboxConfigException(
                "no sandbox with id or name \"" + idOrName + "\" on " + backend.name()
                        + ": it was removed already or never existed (list them with Sandboxes.list())"));
        String sandbox = Reaper.sandboxName(c.labels(), c.name());
        backend.remove(c.id(), TIMEOUT);
        List<String> failures = new ArrayList<>();
        List<String> hostState = new ArrayList<>();
        for (EgressProvider p : Reaper.egressProviders(backend)) {
            try {
                if (p.sandboxesWithHostState(backend).contains(sandbox)) {
                    hostState.addAll(p.reap(backend, Set.of(sandbox)));
                }
            } catch (RuntimeException e) {
                failures.add("host state via " + p.getClass().getSimpleName() + ": " + e.getMessage());
                LOG.warn("could not remove the host state of sandbox {}", sandbox, e);
            }
        }
        List<String> networks = new ArrayList<>();
        try {
            for (NetworkInfo n : backend.listNetworks(Map.of(Ownership.SANDBOX, sandbox), TIMEOUT)) {
                try {
                    backend.removeNetwork(n.name(), TIMEOUT);
                    networks.add(n.name());
                } catch (RuntimeException e) {
                    failures.add("network " + n.name() + ": " + e.getMessage());
                    LOG.warn("could not remove network {} of sandbox {}", n.name(), sandbox, e);
                }
            }
        } catch (RuntimeException e) {
            failures.add("listing the networks of " + sandbox + ": " + e.getMessage());
            LOG.warn("could not list the networks of sandbox {}", sandbox, e);
        }
        LOG.info("removed sandbox {} ({}) with {} host state items and {} networks", sandbox,
                SandboxStarter.shortId(c.id()), hostState.size(), networks.size());
        return new ReapReport(List.of(c.name()), hostState, networks, failures);
    }

    /** What orphan reaping would remove now. */
    public static ReapReport orphans(RuntimeBackend backend) {
        return Reaper.dryRun(backend);
    }

    /** One orphan reaping pass. */
    public static ReapReport reap(RuntimeBackend backend) {
        return Reaper.reap(backend);
    }

    static SandboxInfo info(String runtime, ContainerInfo c) {
        String owner = c.labels().getOrDefault(Ownership.OWNER, "");
        Map<String, String> user = new LinkedHashMap<>();
        c.labels().forEach((k, v) -> {
            if (!k.startsWith(SandboxSpec.LABEL_PREFIX) && !k.startsWith("io.") && !k.startsWith("org.")) {
                user.put(k, v);
            }
        });
        return new SandboxInfo(c.id(), c.name(), runtime, owner, !owner.isEmpty() && Ownership.ownerAlive(owner),
                "true".equals(c.labels().get(Ownership.DETACHED)), c.running(), c.hostPorts(), user);
    }
}
