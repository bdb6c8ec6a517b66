package dev.sandbox4j.kubernetes;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressLog;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.EgressRule;
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

/**
 * Egress control of the {@code kubernetes} runtime. Enforcement lives in the pod itself (the init container's rules
 * and the enforcer sidecar that {@link KubernetesRuntimeProvider}'s backend puts into every policed pod), so this
 * provider makes no network and touches no host: its session only asks the workload to drop NET_ADMIN and NET_RAW
 * and, once the pod runs, checks that the init container loaded the rules.
 */
public final class KubernetesEgressProvider implements EgressProvider {

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
        boolean namesHosts = spec.egress().rules().stream().anyMatch(r -> !(r instanceof EgressRule.CidrRule));
        if (namesHosts) {
            throw new SandboxConfigException("the kubernetes runtime enforces address (CIDR) rules in the pod, but "
                    + "host-name rules need the in-pod DNS enforcer, which this version does not ship yet: use "
                    + "allowCidr(...) rules, or a local runtime (podman, apple-container) for host-name policies");
        }
        return new PodEgressSession(sandboxName);
    }

    private static final class PodEgressSession implements EgressSession {
        private final EgressRecorder log;

        PodEgressSession(String sandbox) {
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
        }

        @Override
        public EgressLog log() {
            return log;
        }

        @Override
        public void close() {
            // The rules live and die with the pod's network namespace.
        }
    }
}
