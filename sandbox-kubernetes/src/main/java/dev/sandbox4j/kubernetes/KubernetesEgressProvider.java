package dev.sandbox4j.kubernetes;

import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.kubernetes.internal.KubernetesBackend;
import dev.sandbox4j.kubernetes.internal.PodManifest;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress control of the {@code kubernetes} runtime. Enforcement lives in the pod itself (the init container's rules
 * and the enforcer sidecar that {@link KubernetesRuntimeProvider}'s backend puts into every policed pod), so this
 * provider makes no network and touches no host: its session only asks the workload to drop NET_ADMIN and NET_RAW,
 * once the pod runs checks that the init container loaded the rules, and then follows the enforcer sidecar's log
 * through the API, whose JSON audit lines become the sandbox's {@code egressLog()}, resuming the log stream without
 * loss or repetition whenever it is cut, until the sandbox is closed.
 */
public final class KubernetesEgressProvider implements EgressProvider {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEgressProvider.class);

    @Override
    public boolean supports(RuntimeBackend backend, HostEnvironment host) {
        return backend instanceof KubernetesBackend;
    }

    @Override
    public String unsupportedReason(RuntimeBackend backend, HostEnvironment host) {
        return "the in-pod enforcer polices the kubernetes runtime only, not " + backend.name();
    }

    @Override
    public EgressSession prepare(SandboxSpec spec, RuntimeBackend backend, String sandboxName,
                                 Map<String, String> labels) {
        return new PodEgressSession(sandboxName);
    }

    private static final class PodEgressSession implements EgressSession {
        private final String sandbox;
        private final EgressRecorder log;
        private volatile AutoCloseable follower;

        PodEgressSession(String sandbox) {
            this.sandbox = sandbox;
            this.log = new EgressRecorder(sandbox);
        }

        @Override
        public Optional<String> network() {
            return Optional.empty();
        }

        @Override
        public List<String> dns() {
            return List.of();
        }

        @Override
        public List<String> capDrop() {
            return PodManifest.WORKLOAD_CAP_DROP;
        }

        @Override
        public void attached(ContainerInfo container, RuntimeBackend backend) {
            KubernetesBackend kube = (KubernetesBackend) backend;
            Optional<Integer> exit = kube.initExitCode(container.id());
            if (exit.isEmpty() || exit.get() != 0) {
                throw new SandboxStartException("pod " + container.id() + " runs, but its " + PodManifest.INIT
                        + " container " + (exit.isEmpty() ? "reports no exit" : "exited " + exit.get())
                        + ": its egress rules are not in place");
            }
            follower = kube.followEnforcerLog(container.id(), sandbox, log::record);
        }

        @Override
        public EgressLog log() {
            return log;
        }

        @Override
        public void close() {
            // The rules live and die with the pod's network namespace; only the log follower is ours to stop.
            AutoCloseable f = follower;
            follower = null;
            if (f != null) {
                try {
                    f.close();
                } catch (Exception e) {
                    LOG.warn("could not stop following the enforcer log of {}", sandbox, e);
                }
            }
        }
    }
}
