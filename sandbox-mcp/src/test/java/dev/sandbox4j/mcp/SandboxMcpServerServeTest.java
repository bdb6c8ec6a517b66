package dev.sandbox4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link SandboxMcpServer#serve} in this JVM, spoken to in raw JSON-RPC lines as the MCP stdio transport defines
 * them: the entry point a launcher calls returns once its input ends, and the session's sandbox is gone by then.
 */
class SandboxMcpServerServeTest {
    @Test
    void serveAnswersOverTheStreamsAndReturnsWithoutItsSandboxOnceInputEnds() throws Exception {
        RuntimeRequirement.require("podman");
        String run = UUID.randomUUID().toString().substring(0, 8);
        SandboxSpec spec = Sandbox.builder().image(TestImages.busybox()).label("mcp-test", run)
                .egress(EgressPolicy.allowAll()).build();
        PipedOutputStream toServer = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
        PipedInputStream fromServer = new PipedInputStream(1 << 16);
        PipedOutputStream serverOut = new PipedOutputStream(fromServer);
        CompletableFuture<Void> served = CompletableFuture.runAsync(
                () -> SandboxMcpServer.create(spec).serve(serverIn, serverOut));
        BufferedReader replies = new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8));

        send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
        String initialized = replies.readLine();
        send(toServer, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"run_command\","
                + "\"arguments\":{\"command\":\"echo from-the-sandbox; exit 7\"}}}");
        String called = replies.readLine();
        List<String> whileOpen = containers(run);
        toServer.close();
        served.get(2, TimeUnit.MINUTES);

        assertThat(initialized).contains("\"id\":1").contains("\"serverInfo\"").contains("sandbox4j");
        assertThat(called).contains("\"id\":2").contains("from-the-sandbox").contains("\"exit_code\":7");
        assertThat(whileOpen).hasSize(1);
        assertThat(containers(run)).as("containers once serve returned").isEmpty();
    }

    @Test
    void aSessionWhoseSandboxWentIdleGoesOnInAFreshOne() throws Exception {
        RuntimeRequirement.require("podman");
        String run = UUID.randomUUID().toString().substring(0, 8);
        SandboxSpec spec = Sandbox.builder().image(TestImages.busybox()).label("mcp-test", run)
                .egress(EgressPolicy.allowAll()).idleTimeout(Duration.ofSeconds(1)).build();
        PipedOutputStream toServer = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
        PipedInputStream fromServer = new PipedInputStream(1 << 16);
        PipedOutputStream serverOut = new PipedOutputStream(fromServer);
        CompletableFuture<Void> served = CompletableFuture.runAsync(
                () -> SandboxMcpServer.create(spec).serve(serverIn, serverOut));
        BufferedReader replies = new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8));
        send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
        replies.readLine();
        send(toServer, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

        send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"run_command\","
                + "\"arguments\":{\"command\":\"touch /tmp/marker; hostname\"}}}");
        String first = replies.readLine();
        boolean expired = awaitNoContainers(run);
        send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"run_command\","
                + "\"arguments\":{\"command\":\"ls /tmp/marker\"}}}");
        String second = replies.readLine();
        toServer.close();
        served.get(2, TimeUnit.MINUTES);

        assertThat(first).contains("\"id\":2").contains("\"exit_code\":0");
        assertThat(expired).as("the idle sandbox was removed").isTrue();
        assertThat(second).contains("\"id\":3").contains("\"isError\":false").contains("No such file");
        assertThat(containers(run)).isEmpty();
    }

    private static boolean awaitNoContainers(String run) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!containers(run).isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    private static void send(OutputStream out, String line) throws Exception {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static List<String> containers(String run) {
        return CommandRunner.system().run(Command.of(List.of("podman", "ps", "-a", "--filter",
                "label=mcp-test=" + run, "--format", "{{.Names}}"), Duration.ofSeconds(30)))
                .stdout().lines().filter(l -> !l.isBlank()).toList();
    }
}
