package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.pod.PodEnforcer;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The enforcer-log follower against fabric8's mock API server (CRUD mode, the pod stored with its enforcer running)
 * through a {@link ResettingProxy}: the first log stream's connection is reset (an RST while the client reads, so an
 * {@code IOException} in the follower, not the end of the stream) in the middle of an audit line; every other
 * request and response goes through untouched.
 */
class EnforcerLogFollowerResetMockTest {
    private static final String NS = "sandbox4j";
    private static final String SANDBOX = "sb4j-reset";
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<EgressEvent> WRITTEN = IntStream.rangeClosed(1, 5).<EgressEvent>mapToObj(i ->
            new EgressEvent.DroppedConnections(T.plusSeconds(i), "dropped", i, 60L * i)).toList();

    /** A pod of its own per test: a follower thread one test leaves behind does not fail the next. */
    private final String pod = "sb4j-reset-" + Long.toHexString(System.nanoTime());
    private KubernetesMockServer server;
    private NamespacedKubernetesClient direct;
    private ResettingProxy proxy;
    private KubernetesClient viaProxy;
    private final Queue<String> bodies = new ConcurrentLinkedQueue<>();
    private final List<EgressEvent> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstThree = new CountDownLatch(3);
    private final CountDownLatch allFive = new CountDownLatch(5);

    /** The CRUD dispatcher, except that each log request of the enforcer is answered with the next body. */
    private final class EnforcerLog extends Dispatcher {
        private final Dispatcher crud = new KubernetesCrudDispatcher();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getPath().startsWith("/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?")) {
                String body = bodies.poll();
                return new MockResponse().setResponseCode(200).setBody(body == null ? "" : body);
            }
            return crud.dispatch(request);
        }
    }

    private static String auditLines(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) {
            sb.append(PodEnforcer.auditLine(WRITTEN.get(i - 1), SANDBOX, i)).append('\n');
        }
        return sb.toString();
    }

    @BeforeEach
    void start() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new EnforcerLog(),
                false);
        server.init();
        direct = server.createClient();
        direct.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(pod).endMetadata()
                .withNewStatus().withPhase("Running").withContainerStatuses(
                        new ContainerStatusBuilder().withName(PodManifest.WORKLOAD).withNewState().withNewRunning()
                                .endRunning().endState().build(),
                        new ContainerStatusBuilder().withName(PodManifest.ENFORCER).withNewState().withNewRunning()
                                .endRunning().endState().build()).endStatus().build()).create();
    }

    /** Points {@link #viaProxy} at {@code p}; HTTP/1.1 only, the protocol the proxy reads. */
    private void through(ResettingProxy p) {
        proxy = p;
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + proxy.port())
                .withNamespace(NS).withHttp2Disable(true).build();
        viaProxy = new KubernetesClientBuilder().withConfig(config).build();
    }

    private InetSocketAddress upstream() {
        return new InetSocketAddress(server.getHostName(), server.getPort());
    }

    private boolean isLogFollow(String requestLine) {
        return requestLine.contains("/pods/" + pod + "/log?") && requestLine.contains("follow=true");
    }

    private boolean followerThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(EnforcerLogFollower.THREAD_PREFIX + pod));
    }

    @AfterEach
    void stop() throws Exception {
        if (viaProxy != null) {
            viaProxy.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        direct.close();
        server.destroy();
    }

    private void receive(EgressEvent e) {
        events.add(e);
        firstThree.countDown();
        allFive.countDown();
    }

    private List<String> logRequests() {
        return proxy.requestLines().stream().filter(l -> l.contains("/log?"))
                .map(l -> URLDecoder.decode(l, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aResetLogStreamIsResumedWithoutLosingOrRepeatingEventsAndClosingStopsTheReconnects() throws Exception {
        // given: the first stream is the enforcer's own message, lines 1 to 3, and line 4 whole, of which only the
        // first half goes through before the reset; the second (asked for from before line 3) repeats 2 and 3 and
        // brings 4 and 5; every later one ends at once
        String first = "enforcer: ready\n" + auditLines(1, 4);
        String line4 = PodEnforcer.auditLine(WRITTEN.get(3), SANDBOX, 4);
        int throughBeforeReset = first.getBytes(StandardCharsets.UTF_8).length - line4.length() / 2 - 1;
        bodies.add(first);
        bodies.add(auditLines(2, 5));
        through(new ResettingProxy(upstream(), this::isLogFollow, 1, throughBeforeReset,
                firstThree, line -> false));
        EnforcerLogFollower follower = new EnforcerLogFollower(viaProxy, NS, pod, SANDBOX, this::receive);

        // when: the follower runs until it has all five events and has asked for the log a third time (after the
        // second stream ended), then is closed
        boolean runsAfterClose;
        follower.start();
        try {
            assertThat(allFive.await(120, TimeUnit.SECONDS)).as("all five events arrived").isTrue();
            while (logRequests().size() < 3) {
                Thread.sleep(20);
            }
        } finally {
            follower.close();
            runsAfterClose = followerThreadRuns();
        }
        int requestsAfterClose = requestsOnceSettled();

        // then: the first stream's connection was reset; every event arrived once and in order; the second stream
        // was asked for from before the newest event the first one brought (t+3 s, less the replay margin, in
        // whole seconds); after close() the follower's thread is gone and nothing more reaches the API server
        List<String> logs = logRequests();
        assertThat(proxy.resets()).isEqualTo(1);
        assertThat(events).containsExactlyElementsOf(WRITTEN);
        assertThat(logs.get(0)).contains("follow=true").doesNotContain("sinceTime");
        assertThat(logs.get(1)).contains("follow=true").contains("sinceTime=" + T.plusSeconds(1));
        assertThat(logs.get(2)).contains("sinceTime=" + T.plusSeconds(3));
        assertThat(runsAfterClose).isFalse();
        assertThat(proxy.requestLines()).hasSize(requestsAfterClose);
    }

    /**
     * The number of requests the proxy has seen once those the client still had under way when the follower closed
     * have arrived (close() ends the thread, not requests the client's own threads are sending); the second wait is
     * long enough for a follower that still asked to ask again (its waits at that point are 0.5 s to 2 s).
     */
    private int requestsOnceSettled() throws InterruptedException {
        Thread.sleep(EnforcerLogFollower.FIRST_BACKOFF.multipliedBy(4).toMillis());
        int settled = proxy.requestLines().size();
        Thread.sleep(EnforcerLogFollower.FIRST_BACKOFF.multipliedBy(4).toMillis());
        return settled;
    }

    @Test
    void closingWhileAReconnectWaitsForTheApiServerEndsTheFollowerThread() throws Exception {
        // given: the first stream brings lines 1 to 3 and ends; the API server never answers the reconnect
        bodies.add(auditLines(1, 3));
        through(new ResettingProxy(upstream(), line -> false, 0, 0, new CountDownLatch(0),
                line -> isLogFollow(line) && line.contains("sinceTime")));
        EnforcerLogFollower follower = new EnforcerLogFollower(viaProxy, NS, pod, SANDBOX, this::receive);
        follower.start();
        while (logRequests().size() < 2) {
            Thread.sleep(20);
        }

        // when
        follower.close();
        boolean runsAfterClose = followerThreadRuns();
        int requestsAfterClose = requestsOnceSettled();

        // then: the three events arrived, the reconnect was the one kept waiting, close() ended the thread and
        // nothing more reached the API server
        assertThat(events).containsExactlyElementsOf(WRITTEN.subList(0, 3));
        assertThat(logRequests()).hasSize(2);
        assertThat(logRequests().get(1)).contains("sinceTime=" + T.plusSeconds(1));
        assertThat(runsAfterClose).isFalse();
        assertThat(proxy.requestLines()).hasSize(requestsAfterClose);
    }
}
