package dev.sandbox4j.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * An MCP client as its own process, for the test that kills a client: connects to the server (its child), runs one
 * command so the session's sandbox exists, prints {@code READY <server pid>}, and waits to be killed.
 */
public final class McpClientProcess {
    private McpClientProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        StdioClientTransport transport = new StdioClientTransport(
                McpServerLauncher.parameters(Arrays.asList(args)), McpJsonDefaults.getMapper());
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofMinutes(2)).build();
        client.initialize();
        McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder("run_command")
                .arguments(Map.of("command", "echo started")).build());
        if (Boolean.TRUE.equals(r.isError())) {
            System.out.println("FAILED " + r.content());
            System.exit(1);
        }
        long server = ProcessHandle.current().children().mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
        System.out.println("READY " + server);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
