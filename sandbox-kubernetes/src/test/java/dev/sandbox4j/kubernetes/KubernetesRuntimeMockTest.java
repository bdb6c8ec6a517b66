package dev.sandbox4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxPool;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.pod.PodEnforcer;
import dev.sandbox4j.kubernetes.internal.AuditCursor;
import dev.sandbox4j.kubernetes.internal.EnforcerLogFollower;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sandboxes started through the public API ({@code runtime("kubernetes")}): the provider and the egress provider
 * are found with ServiceLoader, the client reads the kubeconfig that {@code KUBECONFIG} names (set by this module's
 * surefire configuration; written here to point at fabric8's mock API server in CRUD mode). The test plays the
 * kubelet by writing pod status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesRuntimeMockTest {
    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private EnforcerLogs logs;

    /**
     * The mock API server's dispatcher (CRUD, plus the expectations a test sets), except that while a test has
     * scripted the enforcer's log streams, each request for the enforcer container's log is recorded and answered
     * with the next scripted body, and once the script is used up with an empty one: each stream ends when its body
     * does, while the pod still shows the enforcer running. To the client that is a log stream cut by the API side
     * (API server restart, idle timeout), the body's last line cut in the middle if the script says so.
     */
    private static final class EnforcerLogs extends Dispatcher {
        private final Dispatcher crud;
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private volatile String pod;
        private volatile Queue<String> bodies;

        EnforcerLogs(Dispatcher crud) {
            this.crud = crud;
        }

        void script(String pod, List<String> bodies) {
            this.bodies = new ConcurrentLinkedQueue<>(bodies);
            this.pod = pod;
        }

        void clear() {
            pod = null;
            bodies = null;
            requests.clear();
        }

        List<String> requests() {
            return List.copyOf(requests);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String p = pod;
            Queue<String> b = bodies;
            if (p != null && b != null && request.getPath().contains("/pods/" + p + "/log?")
                    && request.getPath().contains("container=egress-enforcer")) {
                requests.add(URLDecoder.decode(request.getPath(), StandardCharsets.UTF_8));
                String body = b.poll();
                return new MockResponse().setResponseCode(200).setBody(body == null ? "" : body);
            }
            return crud.dispatch(request);
        }
    }

    @BeforeAll
    void startServer() throws IOException {
        Assumptions.assumeTrue(System.getenv(KubernetesClusterTest.CLUSTER) == null,
                "a real cluster is configured: KUBECONFIG is not this test's to write");
        // CRUD, except where a test sets an expectation (the enforcer's log stream)
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        logs = new EnforcerLogs(new KubernetesMixedDispatcher(responses));
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, logs, false);
        server.init();
        client = server.createClient();
        Path kubeconfig = Path.of(System.getenv("KUBECONFIG"));
        Files.createDirectories(kubeconfig.getParent());
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: "http://%s:%d"
                users:
                - name: tester
                  user:
                    token: not-a-secret
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: tester
                current-context: mock
                """.formatted(server.getHostName(), server.getPort()));
    }

    @AfterAll
    void stopServer() {
        if (client != null) {
            client.close();
            server.destroy();
        }
    }

    /**
     * As {@link #kubelet(int)}, and before the pod runs, serves {@code enforcerLog} (given the pod's name) as the
     * enforcer container's log stream, what the kubelet would serve for {@code follow=true}.
     */
    private CompletableFuture<String> kubeletWithEnforcerLog(java.util.function.UnaryOperator<String> enforcerLog) {
        return CompletableFuture.supplyAsync(() -> {
            List<Pod> pods;
            while ((pods = client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).list().getItems()).isEmpty()) {
                pause();
            }
            Pod pod = pods.get(0);
            String name = pod.getMetadata().getName();
            server.expect().get().withPath("/api/v1/namespaces/" + KubernetesOptions.DEFAULT_NAMESPACE + "/pods/" + name
                    + "/log?pretty=false&container=egress-enforcer&follow=true").andReturn(200, enforcerLog.apply(name))
                    .once();
            client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).resource(new PodBuilder(pod).withStatus(
                    new PodStatusBuilder().withPhase("Running")
                            .withInitContainerStatuses(new ContainerStatusBuilder().withName("egress-init")
                                    .withNewState().withNewTerminated().withExitCode(0).endTerminated().endState()
                                    .build())
                            .withContainerStatuses(new ContainerStatusBuilder().withName("sandbox").withNewState()
                                    .withNewRunning().endRunning().endState().build()).build()).build())
                    .updateStatus();
            return name;
        });
    }

    /** Plays the kubelet for the next pod that appears in the namespace. */
    private CompletableFuture<String> kubelet(int initExit) {
        return kubelet(initExit, true);
    }

    /** As {@link #kubelet(int)}; without {@code reportInit} the status lists no init container at all. */
    private CompletableFuture<String> kubelet(int initExit, boolean reportInit) {
        return kubelet(initExit, reportInit, name -> { });
    }

    /** As {@link #kubelet(int, boolean)}, handing the pod's name to {@code beforeRunning} before it runs. */
    private CompletableFuture<String> kubelet(int initExit, boolean reportInit,
                                              java.util.function.Consumer<String> beforeRunning) {
        return CompletableFuture.supplyAsync(() -> {
            List<Pod> pods;
            while ((pods = client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).list().getItems()).isEmpty()) {
                pause();
            }
            Pod pod = pods.get(0);
            beforeRunning.accept(pod.getMetadata().getName());
            PodStatusBuilder status = new PodStatusBuilder().withPhase("Running");
            if (reportInit) {
                status.withInitContainerStatuses(new ContainerStatusBuilder().withName("egress-init").withNewState()
                        .withNewTerminated().withExitCode(initExit).endTerminated().endState().build());
            }
            status.withContainerStatuses(new ContainerStatusBuilder().withName("sandbox").withNewState()
                            .withNewRunning().endRunning().endState().build());
            client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE)
                    .resource(new PodBuilder(pod).withStatus(status.build()).build()).updateStatus();
            return pod.getMetadata().getName();
        });
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Plays the kubelet for every pod without a status until stopped; counts the pods it started. */
    private AutoCloseable kubeletForAll(AtomicInteger started) {
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                for (Pod pod : client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).list().getItems()) {
                    if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
                        client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).resource(new PodBuilder(pod)
                                .withStatus(new PodStatusBuilder().withPhase("Running").withContainerStatuses(
                                        new ContainerStatusBuilder().withName("sandbox").withNewState().withNewRunning()
                                                .endRunning().endState().build()).build()).build()).updateStatus();
                        started.incrementAndGet();
                    }
                }
                pause();
            }
        }, "fake-kubelet");
        t.setDaemon(true);
        t.start();
        return () -> {
            stop.set(true);
            t.join();
        };
    }

    @Test
    void aPoolKeepsPodsPreCreatedAndClosingItDeletesThem() throws Exception {
        // given
        AtomicInteger started = new AtomicInteger();
        AutoCloseable kubelet = kubeletForAll(started);
        try {
            SandboxSpec spec = Sandbox.builder().image("localhost/busybox:latest").runtime("kubernetes")
                    .egress(EgressPolicy.allowAll()).label("pool-test", "true").build();

            // when
            try (SandboxPool pool = SandboxPool.builder(spec).size(2).build()) {
                Sandbox first = pool.acquire();
                first.close();
                while (pool.available() < 2) {
                    pause();
                }

                // then: at least the pool's size is pre-created and running (a refill may be under way)
                assertThat(client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE)
                        .withLabel("pool-test", "true").list().getItems())
                        .filteredOn(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                        .hasSizeGreaterThanOrEqualTo(2);
            }
        } finally {
            kubelet.close();
        }
        assertThat(started.get()).isGreaterThanOrEqualTo(3);
        assertThat(client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).withLabel("pool-test", "true")
                .list().getItems()).isEmpty();
    }

    @Test
    void aPolicedSandboxIsAPodWithTheEnforcerAndClosingItDeletesThePod() {
        // given
        CompletableFuture<String> kubelet = kubelet(0);

        // when
        String name;
        Pod pod;
        try (Sandbox sandbox = Sandbox.builder().image("localhost/busybox:latest").runtime("kubernetes")
                .egress(EgressPolicy.denyAll().allowCidr("203.0.113.20/32", 80)).label("team", "agents").start()) {
            name = kubelet.join();
            pod = client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).withName(name).get();
            assertThat(sandbox.runtimeName()).isEqualTo("kubernetes");
            assertThat(sandbox.egressLog().events()).isEmpty();
        }

        // then
        assertThat(pod.getMetadata().getLabels()).containsEntry("team", "agents")
                .containsEntry("dev.sandbox4j.managed", "true").containsKey("dev.sandbox4j.owner");
        assertThat(pod.getSpec().getContainers()).extracting(c -> c.getName())
                .containsExactly("sandbox", "egress-enforcer");
        assertThat(pod.getSpec().getInitContainers().get(0).getEnv().get(0).getValue())
                .contains("ip daddr 203.0.113.20/32 tcp dport { 80 } accept");
        assertThat(client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).withName(name).get()).isNull();
    }

    @Test
    void theEnforcersAuditLinesFromItsLogStreamBecomeTheSandboxsEgressLog() {
        // given: the enforcer's log as it writes it (its own messages and another sandbox's line included)
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        EgressEvent allowed = new EgressEvent.DnsDecision(t, "pypi.org.", "A", EgressEvent.Verdict.ALLOWED, "NOERROR",
                "allow pypi.org", List.of("203.0.113.10"), Duration.ofSeconds(60), Duration.ofMillis(3), "udp: allowed");
        EgressEvent dropped = new EgressEvent.DroppedConnections(t, "dropped", 2, 120);
        CompletableFuture<String> kubelet = kubeletWithEnforcerLog(name -> "enforcer: ready, interceptor on"
                + " 127.0.0.1:5353\n" + allowed.toJsonLine(name) + "\n" + dropped.toJsonLine(name) + "\n"
                + dropped.toJsonLine("sb4j-another") + "\n");

        // when
        List<EgressEvent> events;
        try (Sandbox sandbox = Sandbox.builder().image("localhost/busybox:latest").runtime("kubernetes")
                .egress(EgressPolicy.denyAll().allow("pypi.org")).start()) {
            kubelet.join();
            Instant deadline = Instant.now().plusSeconds(60);
            while (sandbox.egressLog().events().size() < 2 && Instant.now().isBefore(deadline)) {
                pause();
            }
            events = sandbox.egressLog().events();
        }

        // then
        assertThat(events).containsExactly(allowed, dropped);
    }

    /** Audit lines {@code from} to {@code to} (1-based) of {@code written}, numbered as the enforcer numbers them. */
    private static String auditLines(String sandbox, List<EgressEvent> written, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) {
            sb.append(PodEnforcer.auditLine(written.get(i - 1), sandbox, i)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aCutEnforcerLogStreamIsResumedWithoutLosingOrRepeatingEventsAndClosingStopsTheReconnects()
            throws Exception {
        // given: five audit lines; the first stream is cut in the middle of line 4, the second (asked for from
        // before the newest event it had) repeats lines 2 and 3 and brings 4 and 5, every later one ends at once
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<EgressEvent> written = IntStream.rangeClosed(1, 5).<EgressEvent>mapToObj(i ->
                new EgressEvent.DroppedConnections(t.plusSeconds(i), "dropped", i, 60L * i)).toList();
        CompletableFuture<String> kubelet = kubelet(0, true, name -> {
            String fourth = PodEnforcer.auditLine(written.get(3), name, 4);
            logs.script(name, List.of(
                    "enforcer: ready\n" + auditLines(name, written, 1, 3) + fourth.substring(0, fourth.length() / 2),
                    auditLines(name, written, 2, 5)));
        });

        // when
        String name;
        List<EgressEvent> events;
        int requestsAtClose;
        List<String> requests;
        try {
            try (Sandbox sandbox = Sandbox.builder().image("localhost/busybox:latest").runtime("kubernetes")
                    .egress(EgressPolicy.denyAll().allow("pypi.org")).start()) {
                name = kubelet.join();
                Instant deadline = Instant.now().plusSeconds(120);
                while ((sandbox.egressLog().events().size() < written.size() || logs.requests().size() < 4)
                        && Instant.now().isBefore(deadline)) {
                    pause();
                }
                events = sandbox.egressLog().events();
            }
            requestsAtClose = logs.requests().size();
            Thread.sleep(EnforcerLogFollower.FIRST_BACKOFF.multipliedBy(4).toMillis());
        } finally {
            requests = logs.requests();
            logs.clear();
        }

        // then: every event once, in order; the second stream was asked for from before the newest event it had
        // (t+3 s, less the replay margin, in whole seconds); the streams kept ending and were asked for again until
        // the sandbox closed; its follower thread is gone and asked for nothing more
        assertThat(events).containsExactlyElementsOf(written);
        assertThat(requests).hasSizeGreaterThanOrEqualTo(4);
        assertThat(requests.get(0)).contains("follow=true").doesNotContain("sinceTime");
        assertThat(requests.get(1)).contains("follow=true")
                .contains("sinceTime=" + t.plusSeconds(3).minus(AuditCursor.REPLAY));
        assertThat(requests.get(3)).contains("sinceTime=" + t.plusSeconds(5).minus(AuditCursor.REPLAY));
        assertThat(requests).hasSize(requestsAtClose);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(n -> n.equals(EnforcerLogFollower.THREAD_PREFIX + name));
    }

    @Test
    void aPodWhoseRulesDidNotLoadIsRefusedAndRemoved() {
        // given
        CompletableFuture<String> kubelet = kubelet(2);

        // when / then
        assertThatThrownBy(() -> Sandbox.builder().image("localhost/busybox:latest").runtime("kubernetes")
                .egress(EgressPolicy.denyAll()).start())
                .isInstanceOf(SandboxStartException.class)
                .hasMessageContaining("init container egress-init exited 2");
        String name = kubelet.join();
        assertThat(client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).withName(name).get()).isNull();
    }

    @Test
    void aRunningPodThatReportsNoRulesLoadedIsRefusedByTheEgressCheckAndRemoved() {
        // given: the workload runs, but no init container status says the rules were loaded
        CompletableFuture<String> kubelet = kubelet(0, false);

        // when / then
        assertThatThrownBy(() -> Sandbox.builder().image("localhost/busybox:latest").runtime("kubernetes")
                .egress(EgressPolicy.denyAll()).start())
                .isInstanceOf(SandboxStartException.class)
                .hasMessageContaining("egress-init container reports no exit: its egress rules are not in place");
        String name = kubelet.join();
        assertThat(client.pods().inNamespace(KubernetesOptions.DEFAULT_NAMESPACE).withName(name).get()).isNull();
    }
}
