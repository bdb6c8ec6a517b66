package dev.sandbox4j.mcp;

import io.modelcontextprotocol.client.transport.ServerParameters;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link SandboxMcpServer#main} as its own JVM on this test class path, as an MCP client would. */
final class McpServerLauncher {
    private McpServerLauncher() {
    }

    static ServerParameters parameters(List<String> serverArgs) {
        List<String> args = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", SandboxMcpServer.class.getName()));
        args.addAll(serverArgs);
        return ServerParameters.builder(java()).args(args).build();
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
