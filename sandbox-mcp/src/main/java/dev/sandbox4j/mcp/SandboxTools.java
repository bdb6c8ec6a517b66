package dev.sandbox4j.mcp;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxFile;
import dev.sandbox4j.ShellResult;
import dev.sandbox4j.ShellTool;
import dev.sandbox4j.egress.EgressEvent;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The five tools of the MCP server, with their JSON schemas; each call works on the session's sandbox. */
final class SandboxTools {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SandboxTools.class);
    static final String RUN_COMMAND = "run_command";
    static final String WRITE_FILE = "write_file";
    static final String READ_FILE = "read_file";
    static final String LIST_FILES = "list_files";
    static final String EGRESS_LOG = "egress_log";
    /** The longest time limit a call may ask for: one hour. */
    static final int MAX_TIMEOUT_SECONDS = 3600;

    private SandboxTools() {
    }

    static List<SyncToolSpecification> all(SessionSandbox session, McpJsonMapper json, Duration defaultTimeout) {
        return List.of(
                tool(json, RUN_COMMAND, "Runs a shell command line with `sh -c` inside the sandbox and returns its "
                        + "exit code, stdout and stderr (long output keeps its head and tail; a line "
                        + "`[... N bytes cut ...]` marks what was cut). A non-zero exit code is a result, not an "
                        + "error. Network access is limited to the hosts the sandbox's policy allows.", """
                        {"type":"object","properties":{
                          "command":{"type":"string","description":"the command line, run by sh -c"},
                          "timeout_seconds":{"type":"integer","minimum":1,"maximum":3600,
                            "description":"time limit; the command is killed when it passes"}},
                         "required":["command"],"additionalProperties":false}""", """
                        {"type":"object","properties":{
                          "exit_code":{"type":"integer"},"stdout":{"type":"string"},"stderr":{"type":"string"},
                          "timed_out":{"type":"boolean"}},
                         "required":["exit_code","stdout","stderr"]}""",
                        (ex, args) -> runCommand(session.get(ex), args, defaultTimeout)),
                tool(json, WRITE_FILE, "Writes text to a file in the sandbox, creating parent directories and "
                        + "replacing what was there. Relative paths are taken against the sandbox's working "
                        + "directory.", """
                        {"type":"object","properties":{
                          "path":{"type":"string","description":"file path in the sandbox"},
                          "content":{"type":"string","description":"the whole new content (UTF-8)"}},
                         "required":["path","content"],"additionalProperties":false}""", null,
                        (ex, args) -> {
                            String path = string(args, "path");
                            String content = string(args, "content");
                            session.get(ex).files().write(path, content);
                            return text("wrote " + content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                                    + " bytes to " + path);
                        }),
                tool(json, READ_FILE, "Reads a text file from the sandbox.", """
                        {"type":"object","properties":{
                          "path":{"type":"string","description":"file path in the sandbox"}},
                         "required":["path"],"additionalProperties":false}""", null,
                        (ex, args) -> text(session.get(ex).files().readString(string(args, "path")))),
                tool(json, LIST_FILES, "Lists a directory in the sandbox: one entry per line, directories end "
                        + "with '/', files show their size in bytes.", """
                        {"type":"object","properties":{
                          "path":{"type":"string","description":"directory path in the sandbox"}},
                         "required":["path"],"additionalProperties":false}""", null,
                        (ex, args) -> listFiles(session.get(ex), string(args, "path"))),
                tool(json, EGRESS_LOG, "The sandbox's network egress decisions so far: every DNS lookup, whether "
                        + "the policy allowed or denied it, and which rule decided.", """
                        {"type":"object","properties":{},"additionalProperties":false}""", null,
                        (ex, args) -> egressLog(session)));
    }

    private static SyncToolSpecification tool(McpJsonMapper json, String name, String description, String input,
                                              String output,
                                              BiFunction<McpSyncServerExchange, Map<String, Object>,
                                                      McpSchema.CallToolResult> call) {
        McpSchema.Tool.Builder tool = McpSchema.Tool.builder(name, json, input).description(description);
        if (output != null) {
            tool.outputSchema(json, output);
        }
        return SyncToolSpecification.builder().tool(tool.build()).callHandler((exchange, request) -> {
            try {
                Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
                return call.apply(exchange, args);
            } catch (SandboxException e) {
                // Tool errors go back to the model as results it can read and act on.
                return McpSchema.CallToolResult.builder().addTextContent(e.getMessage()).isError(true).build();
            } catch (RuntimeException e) {
                LOG.warn("tool {} failed", name, e);
                return McpSchema.CallToolResult.builder().addTextContent("internal error in " + name + ": " + e)
                        .isError(true).build();
            }
        }).build();
    }

    static McpSchema.CallToolResult runCommand(Sandbox sandbox, Map<String, Object> args, Duration defaultTimeout) {
        String command = string(args, "command");
        Duration timeout = defaultTimeout;
        Object t = args.get("timeout_seconds");
        if (t != null) {
            if (!(t instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
                    || n.longValue() > MAX_TIMEOUT_SECONDS) {
                throw new SandboxConfigException("timeout_seconds must be a whole number from 1 to "
                        + MAX_TIMEOUT_SECONDS + ", got " + t);
            }
            timeout = Duration.ofSeconds(n.longValue());
        }
        ShellResult r = ShellTool.builder(sandbox).timeout(timeout).build().run(command);
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("exit_code", r.exitCode());
        structured.put("stdout", r.stdout());
        structured.put("stderr", r.stderr());
        structured.put("timed_out", r.timedOut());
        return McpSchema.CallToolResult.builder().addTextContent(r.render()).structuredContent(structured)
                .isError(false).build();
    }

    private static McpSchema.CallToolResult listFiles(Sandbox sandbox, String path) {
        List<SandboxFile> entries = sandbox.files().list(path);
        StringBuilder sb = new StringBuilder();
        for (SandboxFile f : entries) {
            sb.append(f.name());
            switch (f.type()) {
                case DIRECTORY -> sb.append('/');
                case SYMLINK -> sb.append(" (symbolic link)");
                case FILE -> sb.append(" (").append(f.size()).append(" bytes)");
                default -> sb.append(" (special file)");
            }
            sb.append('\n');
        }
        return text(entries.isEmpty() ? "(empty directory)\n" : sb.toString());
    }

    private static McpSchema.CallToolResult egressLog(SessionSandbox session) {
        List<EgressEvent> events = session.current().map(s -> s.egressLog().events()).orElse(List.of());
        List<String> lines = new ArrayList<>();
        for (EgressEvent e : events) {
            if (e instanceof EgressEvent.DnsDecision d) {
                lines.add(describe(d));
            } else if (e instanceof EgressEvent.DroppedConnections c) {
                lines.add("dropped " + c.packets() + " " + c.counter() + " packets (" + c.bytes() + " bytes)");
            } else if (e instanceof EgressEvent.QueriesShed q) {
                lines.add("shed " + q.count() + " DNS queries: " + q.reason());
            }
        }
        String text = lines.isEmpty()
                ? (session.current().isEmpty() ? "no sandbox yet: nothing has run\n" : "no egress so far\n")
                : String.join("\n", lines) + "\n";
        return text(text);
    }

    /** One DNS decision as a line: {@code DENIED A example.com. (rule: default deny) -> ...}. */
    static String describe(EgressEvent.DnsDecision d) {
        StringBuilder sb = new StringBuilder().append(d.verdict()).append(' ').append(d.qtype()).append(' ')
                .append(d.qname()).append(' ').append(d.rcode());
        if (!d.rule().isEmpty()) {
            sb.append(" (rule: ").append(d.rule()).append(')');
        }
        if (!d.answers().isEmpty()) {
            sb.append(" -> ").append(String.join(", ", d.answers()));
        }
        return sb.toString();
    }

    private static McpSchema.CallToolResult text(String text) {
        return McpSchema.CallToolResult.builder().addTextContent(text).isError(false).build();
    }

    private static String string(Map<String, Object> args, String name) {
        Object v = args.get(name);
        if (!(v instanceof String s)) {
            throw new SandboxConfigException("argument \"" + name + "\" must be a string"
                    + (v == null ? " and is missing" : ", got " + v.getClass().getSimpleName()));
        }
        return s;
    }
}
