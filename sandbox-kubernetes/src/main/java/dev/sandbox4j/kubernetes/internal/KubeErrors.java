package dev.sandbox4j.kubernetes.internal;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns API errors into sentences that say what to fix. */
public final class KubeErrors {
    private KubeErrors() {
    }

    public static String explain(KubernetesClientException e) {
        String status = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : String.valueOf(e.getMessage());
        return switch (e.getCode()) {
            case 401 -> "the API server did not accept the credentials (HTTP 401): check the kubeconfig or the"
                    + " service account token";
            case 403 -> "forbidden (HTTP 403): " + status + ". Grant the Role in docs/runtimes/kubernetes.md (pods:"
                    + " create, get, list, watch, delete; pods/exec: create; pods/log: get; pods/portforward: create)";
            case 404 -> "not found (HTTP 404): " + status + ". Does the namespace exist? (kubectl create namespace ...)";
            case 409 -> "conflict (HTTP 409): " + status;
            case 422 -> "the API server refused the pod (HTTP 422): " + status;
            case 0 -> "the API server could not be reached: " + e.getMessage() + " (check the kubeconfig's server"
                    + " and the network)";
            default -> "HTTP " + e.getCode() + ": " + status;
        };
    }
}
