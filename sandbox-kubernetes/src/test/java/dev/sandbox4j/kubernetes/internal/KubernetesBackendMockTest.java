package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.kubernetes.KubernetesOptions;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.LaunchRequest;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane against fabric8's mock API server in CRUD mode: pods are stored, listed by label, watched and
 * deleted as a real API server would; no kubelet runs, so each test plays the kubelet by writing the pod status.
 */
class KubernetesBackendMockTest {
    private static final String NS = "sandbox4j";
    private static final String IMAGE = "localhost/busybox:latest";
    private static final String RULES = "table inet sandbox4j_pod {\n}\n";

    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private KubernetesBackend backend;

    @BeforeEach
    void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        KubernetesOptions options = KubernetesOptions.builder()
                .owner(KubernetesOptions.Owner.pod("agent-0", "5b1c0e1a-0000-4000-8000-000000000001")).build();
        backend = new KubernetesBackend(client, options, (policy, port) -> RULES, "host-a");
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.destroy();
    }

    private static LaunchRequest request(String name, EgressPolicy policy) {
        SandboxSpec spec = Sandbox.builder().image(IMAGE).pullPolicy(PullPolicy.NEVER).egress(policy).build();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("dev.sandbox4j.managed", "true");
        labels.put("dev.sandbox4j.sandbox", name);
        return new LaunchRequest(spec, IMAGE, name, labels, Optional.empty(), List.of(), List.of());
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Plays the kubelet: once the pod exists, replaces its status. */
    private CompletableFuture<Void> kubelet(String name, UnaryOperator<PodStatusBuilder> status) {
        return CompletableFuture.runAsync(() -> {
            Pod pod;
            while ((pod = client.pods().inNamespace(NS).withName(name).get()) == null) {
                pause();
            }
            Pod updated = new PodBuilder(pod).withStatus(status.apply(new PodStatusBuilder()).build()).build();
            client.pods().inNamespace(NS).resource(updated).updateStatus();
        });
    }

    private static ContainerStatus running(String name) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewRunning().endRunning().endState()
                .build();
    }

    private static ContainerStatus exited(String name, int code, String reason) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewTerminated().withExitCode(code)
                .withReason(reason).endTerminated().endState().build();
    }

    @Test
    void startCreatesTheLabelledOwnedPodAndReturnsOnceTheWorkloadRuns() {
        // given
        CompletableFuture<Void> kubelet = kubelet("sb4j-000000000001", s -> s.withPhase("Running")
                .withInitContainerStatuses(exited("egress-init", 0, "Completed"))
                .withContainerStatuses(running("sandbox"), running("egress-enforcer")));

        // when
        ContainerInfo info = backend.start(request("sb4j-000000000001", EgressPolicy.denyAll()), Duration.ofSeconds(30));

        // then
        kubelet.join();
        assertThat(info.id()).isEqualTo("sb4j-000000000001");
        assertThat(info.running()).isTrue();
        Pod stored = client.pods().inNamespace(NS).withName("sb4j-000000000001").get();
        assertThat(stored.getMetadata().getLabels()).containsEntry("dev.sandbox4j.managed", "true")
                .containsEntry("dev.sandbox4j.sandbox", "sb4j-000000000001")
                .containsEntry(KubernetesBackend.HOST_LABEL, "host-a");
        assertThat(stored.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("agent-0"));
        assertThat(stored.getSpec().getInitContainers()).singleElement()
                .satisfies(c -> assertThat(c.getEnv().get(0).getValue()).isEqualTo(RULES));
    }

    @Test
    void aFailedInitContainerFailsTheStartWithItsExitAndLeavesNoPod() {
        // given
        kubelet("sb4j-000000000002", s -> s.withPhase("Pending")
                .withInitContainerStatuses(exited("egress-init", 1, "Error")));

        // when / then
        assertThatThrownBy(() -> backend.start(request("sb4j-000000000002", EgressPolicy.denyAll()),
                Duration.ofSeconds(30)))
                .isInstanceOf(SandboxStartException.class)
                .hasMessageContaining("init container egress-init exited 1 (Error)");
        assertThat(client.pods().inNamespace(NS).withName("sb4j-000000000002").get()).isNull();
    }

    @Test
    void anImageThatCannotBePulledFailsTheStartWithTheReason() {
        // given
        kubelet("sb4j-000000000003", s -> s.withPhase("Pending").withContainerStatuses(
                new ContainerStatusBuilder().withName("sandbox").withNewState().withNewWaiting()
                        .withReason("ImagePullBackOff").withMessage("Back-off pulling image").endWaiting().endState()
                        .build()));

        // when / then
        assertThatThrownBy(() -> backend.start(request("sb4j-000000000003", EgressPolicy.allowAll()),
                Duration.ofSeconds(30)))
                .isInstanceOf(SandboxStartException.class)
                .hasMessageContaining("container sandbox is waiting: ImagePullBackOff (Back-off pulling image)");
        assertThat(client.pods().inNamespace(NS).withName("sb4j-000000000003").get()).isNull();
    }

    @Test
    void aPodThatNeverRunsTimesOutWithItsStateAndIsDeleted() {
        // given: no kubelet

        // when / then
        assertThatThrownBy(() -> backend.start(request("sb4j-000000000004", EgressPolicy.allowAll()),
                Duration.ofMillis(500)))
                .isInstanceOf(SandboxTimeoutException.class)
                .hasMessageContaining("pod sb4j-000000000004 was not running after PT0.5S");
        assertThat(client.pods().inNamespace(NS).withName("sb4j-000000000004").get()).isNull();
    }

    @Test
    void listShowsOnlyThisHostsPodsThatCarryTheLabels() {
        // given
        for (String[] p : new String[][] {{"sb4j-00000000000a", "host-a"}, {"sb4j-00000000000b", "host-b"}}) {
            client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(p[0])
                    .addToLabels("dev.sandbox4j.managed", "true").addToLabels(KubernetesBackend.HOST_LABEL, p[1])
                    .endMetadata().build()).create();
        }
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("unrelated")
                .addToLabels(KubernetesBackend.HOST_LABEL, "host-a").endMetadata().build()).create();

        // when
        List<ContainerInfo> found = backend.list(Map.of("dev.sandbox4j.managed", "true"), Duration.ofSeconds(10));

        // then
        assertThat(found).extracting(ContainerInfo::name).containsExactly("sb4j-00000000000a");
    }

    @Test
    void removeDeletesThePodAndAPodThatIsGoneIsNotAnError() {
        // given
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("sb4j-00000000000c")
                .endMetadata().build()).create();

        // when
        backend.remove("sb4j-00000000000c", Duration.ofSeconds(10));
        backend.remove("sb4j-00000000000c", Duration.ofSeconds(10));

        // then
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void aForbiddenCreateSaysWhichRoleToGrant() {
        // given: an API server that refuses pod creation, as one without the Role does
        server.destroy();
        server = new KubernetesMockServer(false);
        server.init();
        client.close();
        client = server.createClient();
        server.expect().post().withPath("/api/v1/namespaces/sandbox4j/pods").andReturn(403, new StatusBuilder()
                .withCode(403).withReason("Forbidden").withMessage("pods is forbidden: User \"system:serviceaccount:"
                        + "agents:default\" cannot create resource \"pods\" in API group \"\" in the namespace"
                        + " \"sandbox4j\"").build()).once();
        KubernetesBackend refused = new KubernetesBackend(client, KubernetesOptions.defaults(), (p, port) -> RULES,
                "host-a");

        // when / then
        assertThatThrownBy(() -> refused.start(request("sb4j-00000000000d", EgressPolicy.allowAll()),
                Duration.ofSeconds(10)))
                .isInstanceOf(SandboxStartException.class)
                .hasMessageContaining("forbidden (HTTP 403)")
                .hasMessageContaining("cannot create resource \"pods\"")
                .hasMessageContaining("pods/exec: create");
    }

    @Test
    void aPublishedPortIsForwardedFromLoopbackUntilThePodIsRemoved() throws IOException {
        // given
        kubelet("sb4j-00000000000e", s -> s.withPhase("Running").withContainerStatuses(running("sandbox")));
        SandboxSpec spec = Sandbox.builder().image(IMAGE).pullPolicy(PullPolicy.NEVER).egress(EgressPolicy.allowAll())
                .publish(8080).build();
        LaunchRequest request = new LaunchRequest(spec, IMAGE, "sb4j-00000000000e", Map.of(), Optional.empty(),
                List.of(), List.of());

        // when
        ContainerInfo info = backend.start(request, Duration.ofSeconds(30));

        // then
        int local = info.hostPorts().get(8080);
        assertThat(local).isPositive();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), local)) {
            assertThat(s.isConnected()).isTrue();
        }
        backend.remove("sb4j-00000000000e", Duration.ofSeconds(10));
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), local).close())
                .isInstanceOf(ConnectException.class);
    }
}
