package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.kubernetes.KubernetesOptions;
import dev.sandbox4j.spi.LaunchRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodManifestTest {
    private static final String IMAGE = "localhost/busybox:latest";
    private static final String NAME = "sb4j-0123456789ab";
    private static final String RULES = "table inet sandbox4j_pod {\n}\n";
    private static final KubernetesOptions OPTIONS = KubernetesOptions.builder()
            .enforcerImage("localhost/sandbox4j/enforcer:1.2.3").build();

    private static LaunchRequest request(SandboxSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("dev.sandbox4j.managed", "true");
        labels.put("dev.sandbox4j.sandbox", NAME);
        return new LaunchRequest(spec, IMAGE, NAME, labels, Optional.empty(), List.of(), List.of());
    }

    private static String yaml(Pod pod) {
        return new KubernetesSerialization().asYaml(pod);
    }

    @Test
    void allowAllSandboxIsOneWorkloadContainerWithoutNetAdminOrNetRaw() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).pullPolicy(PullPolicy.MISSING)
                .egress(EgressPolicy.allowAll()).build();

        // when
        Pod pod = PodManifest.pod(request(spec), OPTIONS, Optional.empty());

        // then
        assertThat(yaml(pod)).isEqualTo("""
                ---
                apiVersion: "v1"
                kind: "Pod"
                metadata:
                  annotations:
                    kubectl.kubernetes.io/default-container: "sandbox"
                  labels:
                    dev.sandbox4j.managed: "true"
                    dev.sandbox4j.sandbox: "sb4j-0123456789ab"
                  name: "sb4j-0123456789ab"
                  namespace: "sandbox4j"
                spec:
                  automountServiceAccountToken: false
                  containers:
                  - command:
                    - "/bin/sh"
                    - "-c"
                    - "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done"
                    image: "localhost/busybox:latest"
                    imagePullPolicy: "IfNotPresent"
                    name: "sandbox"
                    securityContext:
                      allowPrivilegeEscalation: false
                      capabilities:
                        drop:
                        - "NET_ADMIN"
                        - "NET_RAW"
                  enableServiceLinks: false
                  restartPolicy: "Never"
                  terminationGracePeriodSeconds: 2
                """);
    }

    @Test
    void policedSandboxWithEveryOptionGetsInitContainerEnforcerSidecarLimitsAndOwners() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE)
                .pullPolicy(PullPolicy.MISSING)
                .command("sh", "-c", "exec httpd -f")
                .publish(8080)
                .cpus(0.5)
                .memory("512m")
                .env("MODE", "test")
                .workdir("/work")
                .user("1000:1000")
                .label("team", "agents")
                .egress(EgressPolicy.denyAll().allow("pypi.org").allowCidr("203.0.113.0/24", 80))
                .build();
        KubernetesOptions options = OPTIONS.toBuilder().namespace("agents").runtimeClassName("gvisor")
                .activeDeadline(Duration.ofHours(1)).owner(KubernetesOptions.Owner.pod("agent-0", "1f7c")).build();
        LaunchRequest request = new LaunchRequest(spec, IMAGE, NAME, Map.of("team", "agents"), Optional.empty(),
                List.of(), List.of("SYS_CHROOT"));

        // when
        Pod pod = PodManifest.pod(request, options, Optional.of(RULES));

        // then
        assertThat(yaml(pod)).isEqualTo("""
                ---
                apiVersion: "v1"
                kind: "Pod"
                metadata:
                  annotations:
                    kubectl.kubernetes.io/default-container: "sandbox"
                  labels:
                    team: "agents"
                  name: "sb4j-0123456789ab"
                  namespace: "agents"
                  ownerReferences:
                  - apiVersion: "v1"
                    kind: "Pod"
                    blockOwnerDeletion: false
                    controller: false
                    name: "agent-0"
                    uid: "1f7c"
                spec:
                  activeDeadlineSeconds: 3600
                  automountServiceAccountToken: false
                  containers:
                  - args:
                    - "sh"
                    - "-c"
                    - "exec httpd -f"
                    env:
                    - name: "MODE"
                      value: "test"
                    image: "localhost/busybox:latest"
                    imagePullPolicy: "IfNotPresent"
                    name: "sandbox"
                    ports:
                    - containerPort: 8080
                      protocol: "TCP"
                    resources:
                      limits:
                        cpu: "500m"
                        memory: "536870912"
                      requests:
                        cpu: "500m"
                        memory: "536870912"
                    securityContext:
                      allowPrivilegeEscalation: false
                      capabilities:
                        drop:
                        - "NET_ADMIN"
                        - "NET_RAW"
                        - "SYS_CHROOT"
                      runAsGroup: 1000
                      runAsUser: 1000
                    workingDir: "/work"
                  - command:
                    - "/opt/sandbox4j/bin/enforcer"
                    env:
                    - name: "SANDBOX4J_EGRESS_POLICY"
                      value: |
                        default deny
                        allow pypi.org
                        allow-cidr 203.0.113.0/24:80
                    - name: "SANDBOX4J_DNS_PORT"
                      value: "5353"
                    - name: "SANDBOX4J_SANDBOX"
                      value: "sb4j-0123456789ab"
                    image: "localhost/sandbox4j/enforcer:1.2.3"
                    imagePullPolicy: "IfNotPresent"
                    name: "egress-enforcer"
                    resources:
                      limits:
                        cpu: "500m"
                        memory: "256Mi"
                      requests:
                        cpu: "50m"
                        memory: "96Mi"
                    securityContext:
                      allowPrivilegeEscalation: false
                      capabilities:
                        add:
                        - "NET_ADMIN"
                        drop:
                        - "ALL"
                      readOnlyRootFilesystem: true
                      runAsUser: 0
                  enableServiceLinks: false
                  initContainers:
                  - command:
                    - "/bin/sh"
                    - "-c"
                    - "printf '%s\\\\n' \\"$SANDBOX4J_NFT_RULES\\" | /usr/sbin/nft -f -"
                    env:
                    - name: "SANDBOX4J_NFT_RULES"
                      value: |
                        table inet sandbox4j_pod {
                        }
                    image: "localhost/sandbox4j/enforcer:1.2.3"
                    imagePullPolicy: "IfNotPresent"
                    name: "egress-init"
                    resources:
                      limits:
                        cpu: "100m"
                        memory: "64Mi"
                      requests:
                        cpu: "10m"
                        memory: "16Mi"
                    securityContext:
                      allowPrivilegeEscalation: false
                      capabilities:
                        add:
                        - "NET_ADMIN"
                        drop:
                        - "ALL"
                      readOnlyRootFilesystem: true
                      runAsUser: 0
                  restartPolicy: "Never"
                  runtimeClassName: "gvisor"
                  terminationGracePeriodSeconds: 2
                """);
    }

    @Test
    void onlyTheInitContainerAndTheEnforcerHoldNetAdmin() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).egress(EgressPolicy.denyAll()).build();

        // when
        Pod pod = PodManifest.pod(request(spec), OPTIONS, Optional.of(RULES));

        // then
        List<Container> all = new java.util.ArrayList<>(pod.getSpec().getInitContainers());
        all.addAll(pod.getSpec().getContainers());
        assertThat(all).extracting(Container::getName).containsExactly("egress-init", "sandbox", "egress-enforcer");
        assertThat(all).filteredOn(c -> c.getSecurityContext().getCapabilities().getAdd().contains("NET_ADMIN"))
                .extracting(Container::getName).containsExactly("egress-init", "egress-enforcer");
        assertThat(pod.getSpec().getContainers().get(0).getSecurityContext().getCapabilities().getDrop())
                .contains("NET_ADMIN", "NET_RAW");
    }

    @Test
    void wholeCpusAreCoresAndFractionsAreMillicores() {
        assertThat(PodManifest.cpu(2).toString()).isEqualTo("2");
        assertThat(PodManifest.cpu(1.5).toString()).isEqualTo("1500m");
        assertThat(PodManifest.cpu(0.25).toString()).isEqualTo("250m");
    }

    @Test
    void cpuFinerThanAMillicoreIsRefusedWithTheFix() {
        assertThatThrownBy(() -> PodManifest.cpu(0.0005))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("thousandths of a core");
    }

    @Test
    void hostMountsAreRefusedWithTheFix() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).egress(EgressPolicy.allowAll())
                .mount(Path.of("/tmp"), "/work").build();

        // when / then
        assertThatThrownBy(() -> PodManifest.pod(request(spec), OPTIONS, Optional.empty()))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("cannot mount host paths")
                .hasMessageContaining("copyTo");
    }

    @Test
    void aUserNameIsRefusedBecauseKubernetesTakesOnlyNumericIds() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).egress(EgressPolicy.allowAll()).user("sandbox").build();

        // when / then
        assertThatThrownBy(() -> PodManifest.pod(request(spec), OPTIONS, Optional.empty()))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("numeric uid[:gid]");
    }

    @Test
    void aDockerfileSpecIsRefusedBecauseClustersPullImages(@TempDir Path context) throws IOException {
        // given
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");
        SandboxSpec spec = Sandbox.builder().dockerfile(context).egress(EgressPolicy.allowAll()).build();

        // when / then
        assertThatThrownBy(() -> PodManifest.imageReference(spec))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("push the image to a registry");
    }

    @Test
    void pullPoliciesMapToKubernetesNames() {
        assertThat(PodManifest.pullPolicy(PullPolicy.NEVER)).isEqualTo("Never");
        assertThat(PodManifest.pullPolicy(PullPolicy.MISSING)).isEqualTo("IfNotPresent");
        assertThat(PodManifest.pullPolicy(PullPolicy.ALWAYS)).isEqualTo("Always");
    }

    @Test
    void anOwnLabelThatIsNoLabelValueBecomesAnAnnotation() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).egress(EgressPolicy.allowAll()).build();
        LaunchRequest request = new LaunchRequest(spec, IMAGE, NAME, Map.of("dev.sandbox4j.image", IMAGE),
                Optional.empty(), List.of(), List.of());

        // when
        Pod pod = PodManifest.pod(request, OPTIONS, Optional.empty());

        // then
        assertThat(pod.getMetadata().getLabels()).isEmpty();
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("dev.sandbox4j.image", IMAGE);
    }

    @Test
    void aUserLabelThatIsNoLabelValueIsRefusedWithTheRule() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).egress(EgressPolicy.allowAll()).label("team", "a b").build();

        // when / then
        assertThatThrownBy(() -> PodManifest.checkSpec(spec))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("label team=\"a b\" is not a Kubernetes label value");
    }
}
