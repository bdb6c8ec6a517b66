package dev.sandbox4j.kubernetes;

import dev.sandbox4j.kubernetes.internal.KubernetesBackend;
import dev.sandbox4j.kubernetes.internal.Rules;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime {@code kubernetes}: sandboxes as pods, through the cluster of the kubeconfig (or the service account
 * when the JVM runs in a pod). Never chosen by detection ahead of a local runtime: its priority is the lowest, so
 * name it with {@code runtime("kubernetes")}. Options come from the {@code SANDBOX4J_KUBE_*} environment variables
 * (see {@link KubernetesOptions#fromEnv}).
 */
public final class KubernetesRuntimeProvider implements RuntimeProvider {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRuntimeProvider.class);

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean detect(HostEnvironment host) {
        return kubeconfig(host).isPresent() || host.env("KUBERNETES_SERVICE_HOST").isPresent();
    }

    @Override
    public String unavailableReason(HostEnvironment host) {
        return "no cluster configured: no kubeconfig (KUBECONFIG or ~/.kube/config) and not running in a pod"
                + " (KUBERNETES_SERVICE_HOST unset); point KUBECONFIG at the cluster's kubeconfig";
    }

    @Override
    public RuntimeBackend create(HostEnvironment host, CommandRunner runner) {
        KubernetesOptions options = KubernetesOptions.fromEnv(System.getenv());
        KubernetesClient client = new KubernetesClientBuilder().build();
        AgentSandboxApi agentSandbox = AgentSandboxApi.detect(client);
        if (agentSandbox.warmPools()) {
            LOG.info("the cluster serves the agent-sandbox warm-pool CRDs; sandboxes are still plain pods (pools of"
                    + " pre-created pods come from SandboxPool)");
        }
        LOG.info("kubernetes runtime: namespace {}, server {}", options.namespace(), client.getMasterUrl());
        return new KubernetesBackend(client, options, Rules.fromClassPath(), hostLabel(host));
    }

    static Optional<Path> kubeconfig(HostEnvironment host) {
        Optional<String> env = host.env("KUBECONFIG");
        if (env.isPresent()) {
            for (String f : env.get().split(File.pathSeparator)) {
                if (!f.isEmpty() && Files.isRegularFile(Path.of(f))) {
                    return Optional.of(Path.of(f));
                }
            }
            return Optional.empty();
        }
        return host.env("HOME").map(h -> Path.of(h, ".kube", "config")).filter(Files::isRegularFile);
    }

    /** This machine's name as a label value: lowercase, characters outside [a-z0-9.-] as '-', at most 63. */
    static String hostLabel(HostEnvironment host) {
        String name = host.env("HOSTNAME").orElseGet(() -> {
            try {
                return Files.readString(Path.of("/etc/hostname")).strip();
            } catch (java.io.IOException e) {
                return "unknown";
            }
        });
        return labelValue(name);
    }

    static String labelValue(String raw) {
        String s = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        if (s.length() > 63) {
            s = s.substring(0, 63);
        }
        s = s.replaceAll("^[^a-z0-9]+", "").replaceAll("[^a-z0-9]+$", "");
        return s.isEmpty() ? "unknown" : s;
    }
}
