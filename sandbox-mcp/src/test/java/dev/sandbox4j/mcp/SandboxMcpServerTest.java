package dev.sandbox4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP server as a client sees it: the SDK's own stdio client starts the server as a separate JVM and talks to
 * it over its standard input and output; the tools run in a real Podman sandbox with a deny-all policy plus one
 * allowed name, whose DNS upstream is a server of this test on loopback.
 */
class SandboxMcpServerTest {
    private static final String ALLOWED = "allowed.mcp.test";
    private static final String DENIED = "denied.mcp.test";
    private static TestDns dns;
    private static String image;

    @BeforeAll
    static void setUp() throws Exception {
        RuntimeRequirement.require("podman");
        image = TestImages.busybox();
        dns = new TestDns(Map.of(ALLOWED, "198.51.100.7", DENIED, "198.51.100.8"));
    }

    @AfterAll
    static void tearDown() {
        if (dns != null) {
            dns.close();
        }
    }

    private static List<String> serverArgs(String run) {
        return List.of("--allow", ALLOWED, "--upstream", dns.address(), "--label", "mcp-test=" + run, image);
    }

    @Test
    void aRealClientUsesAllFiveToolsAndTheSandboxIsGoneAfterItDisconnects() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<McpSchema.LoggingMessageNotification> notifications = new CopyOnWriteArrayList<>();
        StdioClientTransport transport = new StdioClientTransport(McpServerLauncher.parameters(serverArgs(run)),
                McpJsonDefaults.getMapper());
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofMinutes(2))
                .loggingConsumer(notifications::add).build();
        try {
            client.initialize();
            client.setLoggingLevel(McpSchema.LoggingLevel.INFO);

            List<McpSchema.Tool> tools = client.listTools().tools();
            McpSchema.CallToolResult failing = call(client, "run_command",
                    Map.of("command", "echo out; echo err >&2; exit 3", "timeout_seconds", 30));
            McpSchema.CallToolResult written = call(client, "write_file",
                    Map.of("path", "/work/notes/hello.txt", "content", "hello from MCP\n"));
            McpSchema.CallToolResult read = call(client, "read_file", Map.of("path", "/work/notes/hello.txt"));
            McpSchema.CallToolResult listed = call(client, "list_files", Map.of("path", "/work/notes"));
            McpSchema.CallToolResult seenByShell = call(client, "run_command",
                    Map.of("command", "cat /work/notes/hello.txt"));
            McpSchema.CallToolResult lookups = call(client, "run_command",
                    Map.of("command", "nslookup " + DENIED + "; nslookup " + ALLOWED));
            McpSchema.CallToolResult egress = call(client, "egress_log", Map.of());
            McpSchema.CallToolResult missing = call(client, "read_file", Map.of("path", "/work/none.txt"));
            McpSchema.CallToolResult slow = call(client, "run_command",
                    Map.of("command", "echo begun; sleep 30", "timeout_seconds", 1));

            assertThat(tools).extracting(McpSchema.Tool::name)
                    .containsExactlyInAnyOrder("run_command", "write_file", "read_file", "list_files", "egress_log");
            assertThat(tools).allSatisfy(t -> assertThat(t.inputSchema()).containsEntry("type", "object"));
            assertThat(tools.stream().filter(t -> t.name().equals("run_command")).findFirst().orElseThrow()
                    .inputSchema().get("required")).isEqualTo(List.of("command"));

            assertThat(failing.isError()).isFalse();
            assertThat(failing.structuredContent()).isInstanceOf(Map.class);
            Map<?, ?> result = (Map<?, ?>) failing.structuredContent();
            assertThat(result.get("exit_code")).isEqualTo(3);
            assertThat(result.get("stdout")).isEqualTo("out\n");
            assertThat(result.get("stderr")).isEqualTo("err\n");
            assertThat(text(failing)).endsWith("[exit code 3]\n");

            assertThat(written.isError()).isFalse();
            assertThat(text(read)).isEqualTo("hello from MCP\n");
            assertThat(text(listed)).isEqualTo("hello.txt (15 bytes)\n");
            assertThat(((Map<?, ?>) seenByShell.structuredContent()).get("stdout")).isEqualTo("hello from MCP\n");

            assertThat(text(lookups)).contains("198.51.100.7").doesNotContain("198.51.100.8");
            assertThat(text(egress)).contains("DENIED A " + DENIED + ".").contains("ALLOWED A " + ALLOWED + ".");
            assertThat(dns.asked()).contains(ALLOWED).doesNotContain(DENIED);
            assertThat(notifications).anySatisfy(n -> {
                assertThat(n.level()).isEqualTo(McpSchema.LoggingLevel.WARNING);
                assertThat(n.logger()).isEqualTo(SandboxMcpServer.EGRESS_LOGGER);
                assertThat(n.data()).contains("DENIED A " + DENIED + ".");
            });

            Map<?, ?> timedOut = (Map<?, ?>) slow.structuredContent();
            assertThat(timedOut.get("timed_out")).isEqualTo(true);
            assertThat(timedOut.get("exit_code")).isEqualTo(124);
            assertThat(timedOut.get("stdout")).isEqualTo("begun\n");
            assertThat(missing.isError()).isTrue();
            assertThat(text(missing)).contains("/work/none.txt").contains("no such file");
            assertThat(leftovers(run)).as("the session's sandbox while connected").hasSize(1);
        } finally {
            client.closeGracefully();
        }

        assertThat(awaitNoLeftovers(run)).as("containers labelled mcp-test=" + run + " after disconnect").isEmpty();
    }

    @Test
    void killingTheClientProcessEndsTheSessionAndRemovesItsSandbox() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> argv = new ArrayList<>(List.of(McpServerLauncher.java(), "-cp",
                System.getProperty("java.class.path"), McpClientProcess.class.getName()));
        argv.addAll(serverArgs(run));
        Process client = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long serverPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("the client's first line").startsWith("READY ");
            serverPid = Long.parseLong(line.substring(6));
            assertThat(leftovers(run)).as("the session's sandbox while the client lives").hasSize(1);

            client.destroyForcibly();  // SIGKILL: no shutdown hook, no goodbye; the server's stdin just closes
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(awaitNoLeftovers(run)).as("containers labelled mcp-test=" + run + " after the kill").isEmpty();
        ProcessHandle.of(serverPid).ifPresent(p -> p.onExit().orTimeout(60, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false))
                .as("the server process after its client was killed").isFalse();
        assertThat(networks(run)).as("networks left behind").isEmpty();
    }

    @Test
    void aSandboxThatCannotStartIsAToolErrorTheModelCanRead() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String missing = "localhost/sandbox4j-test/no-such-image:" + run;
        StdioClientTransport transport = new StdioClientTransport(McpServerLauncher.parameters(
                List.of("--label", "mcp-test=" + run, missing)), McpJsonDefaults.getMapper());
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofMinutes(2)).build();
        try {
            client.initialize();

            McpSchema.CallToolResult r = call(client, "run_command", Map.of("command", "true"));

            assertThat(r.isError()).isTrue();
            assertThat(text(r)).contains(missing);
            assertThat(leftovers(run)).isEmpty();
        } finally {
            client.closeGracefully();
        }
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }

    private static String text(McpSchema.CallToolResult r) {
        StringBuilder sb = new StringBuilder();
        for (McpSchema.Content c : r.content()) {
            if (c instanceof McpSchema.TextContent t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    private static List<String> leftovers(String run) {
        return podman("ps", "-a", "--filter", "label=mcp-test=" + run, "--format", "{{.Names}}");
    }

    private static List<String> networks(String run) {
        return podman("network", "ls", "--filter", "label=mcp-test=" + run, "--format", "{{.Name}}");
    }

    /** Waits (at most 60 s) for the session's container to go; returns what is left. */
    private static List<String> awaitNoLeftovers(String run) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> left = leftovers(run);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = leftovers(run);
        }
        return left;
    }

    private static List<String> podman(String... args) {
        List<String> argv = new ArrayList<>(List.of("podman"));
        argv.addAll(List.of(args));
        CommandResult r = CommandRunner.system().run(Command.of(argv, Duration.ofSeconds(30)));
        assertThat(r.exitCode()).as("podman " + String.join(" ", args) + ": " + r.stderr()).isZero();
        return r.stdout().lines().filter(l -> !l.isBlank()).toList();
    }
}
