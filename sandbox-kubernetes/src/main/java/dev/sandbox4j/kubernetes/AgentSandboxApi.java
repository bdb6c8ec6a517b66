package dev.sandbox4j.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which custom resources of the Kubernetes SIG Apps agent-sandbox project a cluster serves: the core
 * {@code Sandbox} ({@code agents.x-k8s.io}) and the extensions {@code SandboxTemplate}, {@code SandboxClaim} and
 * {@code SandboxWarmPool} ({@code extensions.agents.x-k8s.io}). Found by reading their CustomResourceDefinitions;
 * a cluster without them, or a client not allowed to read CRDs, simply has none. The runtime never requires them.
 *
 * @param sandbox   {@code sandboxes.agents.x-k8s.io}
 * @param template  {@code sandboxtemplates.extensions.agents.x-k8s.io}
 * @param claim     {@code sandboxclaims.extensions.agents.x-k8s.io}
 * @param warmPool  {@code sandboxwarmpools.extensions.agents.x-k8s.io}
 */
public record AgentSandboxApi(boolean sandbox, boolean template, boolean claim, boolean warmPool) {
    /** CRD names, in the order of the components. */
    public static final List<String> CRDS = List.of("sandboxes.agents.x-k8s.io",
            "sandboxtemplates.extensions.agents.x-k8s.io", "sandboxclaims.extensions.agents.x-k8s.io",
            "sandboxwarmpools.extensions.agents.x-k8s.io");

    /** A cluster with none of them. */
    public static final AgentSandboxApi NONE = new AgentSandboxApi(false, false, false, false);

    /** {@return whether warm pools could hand out pods: claims, templates and warm pools are all served} */
    public boolean warmPools() {
        return template && claim && warmPool;
    }

    /**
     * Reads the CRDs; never throws (a refusal or an unreachable server counts as absent).
     *
     * @param client a client for the cluster to ask
     * @return which of the {@link #CRDS} the cluster serves
     */
    public static AgentSandboxApi detect(KubernetesClient client) {
        List<Boolean> found = new ArrayList<>();
        for (String crd : CRDS) {
            boolean present;
            try {
                present = client.apiextensions().v1().customResourceDefinitions().withName(crd).get() != null;
            } catch (KubernetesClientException e) {
                present = false;
            }
            found.add(present);
        }
        return new AgentSandboxApi(found.get(0), found.get(1), found.get(2), found.get(3));
    }
}
