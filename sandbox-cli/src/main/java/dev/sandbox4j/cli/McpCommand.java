package dev.sandbox4j.cli;

import dev.sandbox4j.mcp.McpOptions;
import dev.sandbox4j.mcp.SandboxMcpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code sandbox mcp}: an MCP server over stdio backed by one sandbox per session (the sandbox-mcp module). */
@Command(name = "mcp",
        description = {"Serve the Model Context Protocol over stdin/stdout: tools run_command, write_file, read_file,",
                "list_files and egress_log, backed by one sandbox per session (egress denied unless allowed).",
                "Arguments: [--config sandbox.json] [--allow HOST[:PORT]]... [--upstream IP:PORT]... IMAGE"},
        footerHeading = "%nExamples:%n", footer = {"  sandbox mcp --allow pypi.org:443 localhost/busybox:latest", ""})
public final class McpCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (args.contains("--help") || args.contains("-h")) {
            System.out.println(McpOptions.USAGE);
            return 0;
        }
        return SandboxMcpServer.run(args.toArray(String[]::new));
    }
}
