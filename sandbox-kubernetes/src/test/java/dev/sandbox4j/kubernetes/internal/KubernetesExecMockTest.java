package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.kubernetes.KubernetesOptions;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec through the Kubernetes API against fabric8's mock API server in expectation mode: the server answers the
 * exec request's WebSocket upgrade with the channel frames a kubelet sends (stdout, stderr, then the status
 * frame that carries the exit code), scripted per test. Checks what the backend asks for (the exact command and
 * container) and how it turns the frames into an {@link ExecResult}.
 */
class KubernetesExecMockTest {
    private static final String POD = "sb4j-0000000000e1";

    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private KubernetesBackend backend;

    @BeforeEach
    void startServer() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init();
        client = server.createClient();
        backend = new KubernetesBackend(client, KubernetesOptions.defaults(), (p, port) -> "", "host-a", () -> "m1");
        client.pods().inNamespace("sandbox4j").resource(new PodBuilder()
                .withNewMetadata().withName(POD).withNamespace("sandbox4j").endMetadata()
                .withNewSpec().addNewContainer().withName("sandbox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True")
                .endCondition().endStatus().build()).create();
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.destroy();
    }

    /** The exec URL fabric8 requests for {@code command} in the workload container, arguments encoded as it does. */
    private static String execPath(List<String> command) {
        StringBuilder q = new StringBuilder();
        for (String c : command) {
            q.append("command=").append(URLEncoder.encode(c, StandardCharsets.UTF_8).replace("+", "%20")).append('&');
        }
        return "/api/v1/namespaces/sandbox4j/pods/" + POD + "/exec?" + q + "container=sandbox&stdout=true&stderr=true";
    }

    private static List<String> marked(List<String> command) {
        List<String> all = new java.util.ArrayList<>(List.of("env", "SANDBOX4J_EXEC=m1"));
        all.addAll(command);
        return all;
    }

    @Test
    void execTurnsTheChannelFramesIntoExitCodeStdoutAndStderrAndFeedsTheListener() {
        // given
        server.expect().get().withPath(execPath(List.of("env", "SANDBOX4J_EXEC=m1", "sh", "-c", "echo hi; echo oops >&2; exit 3")))
                .andUpgradeToWebSocket().open(new OutputStreamMessage("hi\n"), new ErrorStreamMessage("oops\n"),
                        new StatusStreamMessage(3)).done().once();
        List<String> lines = new CopyOnWriteArrayList<>();
        ExecListener listener = new ExecListener() {
            @Override
            public void onStdout(String line) {
                lines.add("out:" + line);
            }

            @Override
            public void onStderr(String line) {
                lines.add("err:" + line);
            }
        };

        // when
        ExecResult r = backend.exec(POD, Exec.of("sh", "-c", "echo hi; echo oops >&2; exit 3"), listener);

        // then
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
        assertThat(lines).containsExactlyInAnyOrder("out:hi", "err:oops");
    }

    @Test
    void execWithEnvironmentAndWorkdirAsksTheWorkloadContainerForTheWrappedCommand() {
        // given: the server answers only the exact wrapped command
        server.expect().get().withPath(execPath(List.of("/bin/sh", "-c", "cd \"$0\" || exit 125; exec \"$@\"", "/work",
                        "env", "MODE=test", "SANDBOX4J_EXEC=m1", "pwd")))
                .andUpgradeToWebSocket().open(new OutputStreamMessage("/work\n"), new StatusStreamMessage(0)).done().once();

        // when
        ExecResult r = backend.exec(POD, Exec.builder("pwd").env("MODE", "test").workdir("/work").build(),
                ExecListener.NONE);

        // then
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("/work\n");
    }

    @Test
    void copyFromWritesWhatCatPrintedToTheTargetFile(@TempDir Path tmp) throws IOException {
        // given
        server.expect().get().withPath(execPath(marked(ExecArgv.readFile("/work/out.txt"))))
                .andUpgradeToWebSocket().open(new OutputStreamMessage("result 42\n"), new StatusStreamMessage(0)).done()
                .once();
        Path target = tmp.resolve("out.txt");

        // when
        backend.copyFrom(POD, "/work/out.txt", target, Duration.ofSeconds(30));

        // then
        assertThat(Files.readString(target)).isEqualTo("result 42\n");
    }

    @Test
    void copyFromAMissingFileFailsWithWhatTheSandboxSaid(@TempDir Path tmp) {
        // given
        server.expect().get().withPath(execPath(marked(ExecArgv.readFile("/work/missing"))))
                .andUpgradeToWebSocket().open(new ErrorStreamMessage("/work/missing: not a regular file\n"),
                        new StatusStreamMessage(66)).done().once();

        // when / then
        assertThatThrownBy(() -> backend.copyFrom(POD, "/work/missing", tmp.resolve("x"), Duration.ofSeconds(30)))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("could not read /work/missing in pod " + POD + ": /work/missing: not a regular file");
    }

    @Test
    void anExecAsAnotherUserIsRefusedWithTheFix() {
        assertThatThrownBy(() -> backend.exec(POD, Exec.builder("id").user("1000").build(), ExecListener.NONE))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("set user(...) on the sandbox instead");
    }

    @Test
    void aStreamThatEndsWithoutAnExitStatusIsAnErrorNotAResult() {
        // given: the connection closes after some output, with no status frame
        server.expect().get().withPath(execPath(marked(List.of("true"))))
                .andUpgradeToWebSocket().open(new OutputStreamMessage("partial")).done().once();

        // when / then
        assertThatThrownBy(() -> backend.exec(POD, Exec.of("true"), ExecListener.NONE))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("ended without an exit status");
    }
}
