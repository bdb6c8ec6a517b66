package dev.sandbox4j.internal;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RuntimeBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orphan reaping: removes what JVMs that died without closing their sandboxes left behind. The order matters:
 * <ol>
 *   <li>egress providers list their host state (firewall tables) first, so a sandbox that another JVM starts
 *       while this runs, whose network and table appear after the listings below, is never mistaken for an
 *       orphan;</li>
 *   <li>containers and networks with the managed label are listed; a sandbox is live when any of its resources
 *       has a live owner or is detached;</li>
 *   <li>containers of dead owners are removed;</li>
 *   <li>host state of sandboxes that are neither live nor still have a container is removed (never before the
 *       container is gone: a running container without its rules would have open egress);</li>
 *   <li>networks of dead owners are removed.</li>
 * </ol>
 * Everything that fails is logged at WARN, reported, and left for the next run.
 */
public final class Reaper {
    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Map<String, CompletableFuture<ReapReport>> ON_START = new ConcurrentHashMap<>();

    private Reaper() {
    }

    /** Runs one reaping pass on a backend; never throws for a resource that could not be removed. */
    public static ReapReport reap(RuntimeBackend backend) {
        return pass(backend, false);
    }

    /**
     * What {@link #reap} would remove now, removing nothing: the same listings and the same rule. Host state is
     * reported by sandbox name (a real pass reports what the egress providers removed, such as table names).
     */
    public static ReapReport dryRun(RuntimeBackend backend) {
        return pass(backend, true);
    }

    private static ReapReport pass(RuntimeBackend backend, boolean dryRun) {
        long t0 = System.nanoTime();
        List<EgressProvider> providers = egressProviders(backend);
        List<String> failures = new ArrayList<>();
        Set<String> withHostState = new LinkedHashSet<>();
        for (EgressProvider p : providers) {
            try {
                withHostState.addAll(p.sandboxesWithHostState(backend));
            } catch (RuntimeException e) {
                failures.add("listing host state of " + p.getClass().getSimpleName() + ": " + e.getMessage());
                LOG.warn("could not list the host state of egress provider {}", p, e);
                withHostState.clear();
                providers = List.of();
                break;
            }
        }
        Map<String, String> managed = Map.of(Ownership.MANAGED, "true");
        List<ContainerInfo> containers = backend.list(managed, TIMEOUT);
        List<NetworkInfo> networks = backend.listNetworks(managed, TIMEOUT);

        Set<String> live = new HashSet<>();
        for (ContainerInfo c : containers) {
            if (Ownership.claimed(c.labels())) {
                live.add(sandboxName(c.labels(), c.name()));
            }
        }
        for (NetworkInfo n : networks) {
            if (Ownership.claimed(n.labels())) {
                live.add(sandboxName(n.labels(), n.name()));
            }
        }

        List<String> removedContainers = new ArrayList<>();
        for (ContainerInfo c : containers) {
            String sandbox = sandboxName(c.labels(), c.name());
            if (live.contains(sandbox)) {
                continue;
            }
            if (dryRun) {
                removedContainers.add(c.name());
                continue;
            }
            try {
                backend.remove(c.id(), TIMEOUT);
                removedContainers.add(c.name());
            } catch (RuntimeException e) {
                live.add(sandbox);  // keep its rules and network: the container may still run
                failures.add("container " + c.name() + ": " + e.getMessage());
                LOG.warn("could not remove orphaned container {}", c.name(), e);
            }
        }

        Set<String> gone = new LinkedHashSet<>(withHostState);
        gone.removeAll(live);
        List<String> removedState = new ArrayList<>();
        if (dryRun) {
            removedState.addAll(gone);
        } else if (!gone.isEmpty()) {
            for (EgressProvider p : providers) {
                try {
                    removedState.addAll(p.reap(backend, Set.copyOf(gone)));
                } catch (RuntimeException e) {
                    failures.add("host state via " + p.getClass().getSimpleName() + ": " + e.getMessage());
                    LOG.warn("could not remove orphaned host state with {}", p, e);
                }
            }
        }

        List<String> removedNetworks = new ArrayList<>();
        for (NetworkInfo n : networks) {
            if (live.contains(sandboxName(n.labels(), n.name()))) {
                continue;
            }
            if (dryRun) {
                removedNetworks.add(n.name());
                continue;
            }
            try {
                backend.removeNetwork(n.name(), TIMEOUT);
                removedNetworks.add(n.name());
            } catch (RuntimeException e) {
                failures.add("network " + n.name() + ": " + e.getMessage());
                LOG.warn("could not remove orphaned network {}", n.name(), e);
            }
        }
        ReapReport report = new ReapReport(removedContainers, removedState, removedNetworks, failures);
        if (dryRun) {
            LOG.debug("orphan dry run on {} found {} in {} ms", backend.name(), report,
                    (System.nanoTime() - t0) / 1_000_000);
        } else if (report.isEmpty()) {
            LOG.debug("orphan reaping on {} found nothing in {} ms", backend.name(), (System.nanoTime() - t0) / 1_000_000);
        } else {
            LOG.info("orphan reaping on {} removed {} containers, {} firewall tables, {} networks in {} ms{}",
                    backend.name(), removedContainers.size(), removedState.size(), removedNetworks.size(),
                    (System.nanoTime() - t0) / 1_000_000, failures.isEmpty() ? "" : "; failures: " + failures);
        }
        return report;
    }

    /**
     * Starts one reaping pass per runtime and JVM on a daemon thread, off the start path; later calls return the
     * same pass. Off with {@code -Dsandbox4j.reapOnStart=false}.
     */
    static void reapOnceInBackground(RuntimeBackend backend) {
        if (!Boolean.parseBoolean(System.getProperty("sandbox4j.reapOnStart", "true"))) {
            return;
        }
        ON_START.computeIfAbsent(backend.name(), name -> {
            CompletableFuture<ReapReport> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(reap(backend));
                } catch (RuntimeException e) {
                    LOG.warn("orphan reaping on {} failed; run Sandboxes.reapOrphans() to retry", name, e);
                    f.completeExceptionally(e);
                }
            }, "sandbox4j-reaper");
            t.setDaemon(true);
            t.start();
            return f;
        });
    }

    /** The pass the first start on a runtime began, if any (for tests and diagnostics). */
    public static Optional<CompletableFuture<ReapReport>> startupPass(String runtime) {
        return Optional.ofNullable(ON_START.get(runtime));
    }

    static String sandboxName(Map<String, String> labels, String fallback) {
        return labels.getOrDefault(Ownership.SANDBOX, fallback);
    }

    static List<EgressProvider> egressProviders(RuntimeBackend backend) {
        HostEnvironment host = HostEnvironment.current();
        List<EgressProvider> out = new ArrayList<>();
        for (EgressProvider p : ServiceLoader.load(EgressProvider.class, Reaper.class.getClassLoader())) {
            if (p.supports(backend, host)) {
                out.add(p);
            }
        }
        return out;
    }
}
