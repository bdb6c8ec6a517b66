package dev.sandbox4j.springai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.ConversationSandboxes;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxFile;
import dev.sandbox4j.ShellTool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BiFunction;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * Spring AI tools that run in a sandbox of the conversation's own: {@code run_command}, {@code write_file},
 * {@code read_file} and {@code list_files}. The conversation is the tool context's
 * {@link ChatMemory#CONVERSATION_ID} (what {@code MessageChatMemoryAdvisor} and
 * {@code ChatClient...advisors(a -> a.param(ChatMemory.CONVERSATION_ID, id))} set), else
 * {@link ChatMemory#DEFAULT_CONVERSATION_ID}; each gets its own sandbox from {@link ConversationSandboxes}.
 *
 * <pre>{@code
 * ChatClient.create(chatModel).prompt("List the files in /work")
 *         .toolCallbacks(new SandboxToolCallbackProvider(sandboxes))
 *         .toolContext(Map.of(ChatMemory.CONVERSATION_ID, "user-42"))
 *         .call().content();
 * }</pre>
 *
 * Errors (a missing file, bad arguments) are returned to the model as text starting with {@code error:}; a
 * non-zero exit code is part of a command's result, never an exception.
 */
public final class SandboxToolCallbackProvider implements ToolCallbackProvider {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConversationSandboxes sandboxes;
    private final Duration timeout;
    private final ToolCallback[] callbacks;

    /**
     * Tools over {@code sandboxes}, each command killed after {@link ShellTool#DEFAULT_TIMEOUT}.
     *
     * @param sandboxes where each conversation gets its sandbox
     * @throws SandboxConfigException if {@code sandboxes} is null
     */
    public SandboxToolCallbackProvider(ConversationSandboxes sandboxes) {
        this(sandboxes, ShellTool.DEFAULT_TIMEOUT);
    }

    /**
     * Tools over {@code sandboxes}, each command killed after {@code timeout}.
     *
     * @param sandboxes where each conversation gets its sandbox
     * @param timeout   the time limit of each command, positive
     * @throws SandboxConfigException if {@code sandboxes} is null
     */
    public SandboxToolCallbackProvider(ConversationSandboxes sandboxes, Duration timeout) {
        if (sandboxes == null) {
            throw new SandboxConfigException("the tools need ConversationSandboxes to take sandboxes from");
        }
        this.sandboxes = sandboxes;
        this.timeout = timeout;
        this.callbacks = new ToolCallback[] {
            callback("run_command", "Runs a shell command line with sh -c in this conversation's sandbox and "
                    + "returns stdout, stderr (after a [stderr] line) and, last, [exit code N]. Long output keeps "
                    + "its head and tail. Network access is limited to the hosts the sandbox's policy allows.", """
                    {"type":"object","properties":{
                      "command":{"type":"string","description":"the command line, run by sh -c"}},
                     "required":["command"],"additionalProperties":false}""",
                    (sandbox, args) -> ShellTool.builder(sandbox).timeout(this.timeout).build()
                            .run(text(args, "command")).render()),
            callback("write_file", "Writes text to a file in this conversation's sandbox, creating parent "
                    + "directories and replacing what was there.", """
                    {"type":"object","properties":{
                      "path":{"type":"string","description":"file path in the sandbox"},
                      "content":{"type":"string","description":"the whole new content"}},
                     "required":["path","content"],"additionalProperties":false}""",
                    (sandbox, args) -> {
                        String path = text(args, "path");
                        String content = text(args, "content");
                        sandbox.files().write(path, content);
                        return "wrote " + content.getBytes(StandardCharsets.UTF_8).length + " bytes to " + path;
                    }),
            callback("read_file", "Reads a text file from this conversation's sandbox.", """
                    {"type":"object","properties":{
                      "path":{"type":"string","description":"file path in the sandbox"}},
                     "required":["path"],"additionalProperties":false}""",
                    (sandbox, args) -> sandbox.files().readString(text(args, "path"))),
            callback("list_files", "Lists a directory in this conversation's sandbox: one entry per line, "
                    + "directories end with '/', files show their size in bytes.", """
                    {"type":"object","properties":{
                      "path":{"type":"string","description":"directory path in the sandbox"}},
                     "required":["path"],"additionalProperties":false}""",
                    (sandbox, args) -> {
                        StringBuilder sb = new StringBuilder();
                        for (SandboxFile f : sandbox.files().list(text(args, "path"))) {
                            sb.append(f.name()).append(f.isDirectory() ? "/" : f.isFile()
                                    ? " (" + f.size() + " bytes)" : "").append('\n');
                        }
                        return sb.length() == 0 ? "(empty directory)\n" : sb.toString();
                    })
        };
    }

    @Override
    public ToolCallback[] getToolCallbacks() {
        return callbacks.clone();
    }

    /** {@return the registry the tools take sandboxes from} */
    public ConversationSandboxes sandboxes() {
        return sandboxes;
    }

    private ToolCallback callback(String name, String description, String schema,
                                  BiFunction<Sandbox, JsonNode, String> body) {
        ToolDefinition definition = ToolDefinition.builder().name(name).description(description).inputSchema(schema)
                .build();
        return new ToolCallback() {
            @Override
            public ToolDefinition getToolDefinition() {
                return definition;
            }

            @Override
            public String call(String toolInput) {
                return call(toolInput, null);
            }

            @Override
            public String call(String toolInput, ToolContext context) {
                Object id = context == null ? null : context.getContext().get(ChatMemory.CONVERSATION_ID);
                try {
                    JsonNode args = JSON.readTree(toolInput == null || toolInput.isBlank() ? "{}" : toolInput);
                    return body.apply(sandboxes.get(id == null ? ChatMemory.DEFAULT_CONVERSATION_ID : id), args);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    return "error: the arguments are not valid JSON: " + e.getOriginalMessage();
                } catch (SandboxException e) {
                    return "error: " + e.getMessage();
                }
            }

            @Override
            public String toString() {
                return "SandboxTool{" + name + "}";
            }
        };
    }

    private static String text(JsonNode args, String name) {
        JsonNode v = args.get(name);
        if (v == null || !v.isTextual()) {
            throw new SandboxConfigException("argument \"" + name + "\" must be a string"
                    + (v == null ? " and is missing" : ", got " + v.getNodeType()));
        }
        return v.asText();
    }
}
