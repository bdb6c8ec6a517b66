package dev.sandbox4j.langchain4j;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolMemoryId;
import dev.sandbox4j.ConversationSandboxes;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.ShellTool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * LangChain4j tools ({@link Tool @Tool} methods) that run in a sandbox of the conversation's own: a shell command,
 * and writing and reading files. Each chat memory id ({@code @MemoryId} in the AI service; {@code "default"} when
 * the service has none) gets its own sandbox from {@link ConversationSandboxes}, so files one conversation writes
 * are there for its next call and invisible to other conversations.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *         .chatModel(model)
 *         .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20))
 *         .tools(new SandboxTools(sandboxes))
 *         .build();
 * }</pre>
 *
 * Errors (a missing file, a path that is not allowed) come back to the model as text starting with
 * {@code error:}, so it can correct itself; a non-zero exit code is part of a command's result.
 */
public final class SandboxTools {
    private final ConversationSandboxes sandboxes;
    private final Duration timeout;

    /**
     * Tools over {@code sandboxes}, with commands limited to {@link ShellTool#DEFAULT_TIMEOUT}.
     *
     * @param sandboxes where each conversation (chat memory id) gets its sandbox
     * @throws SandboxConfigException if {@code sandboxes} is null
     */
    public SandboxTools(ConversationSandboxes sandboxes) {
        this(sandboxes, ShellTool.DEFAULT_TIMEOUT);
    }

    /**
     * Tools over {@code sandboxes}, each command killed after {@code timeout}.
     *
     * @param sandboxes where each conversation (chat memory id) gets its sandbox
     * @param timeout   the time limit of each command, positive
     * @throws SandboxConfigException if {@code sandboxes} is null
     */
    public SandboxTools(ConversationSandboxes sandboxes, Duration timeout) {
        if (sandboxes == null) {
            throw new SandboxConfigException("SandboxTools needs ConversationSandboxes to take sandboxes from");
        }
        this.sandboxes = sandboxes;
        this.timeout = timeout;
    }

    /**
     * The {@code run_command} tool: runs {@code command} with {@code sh -c} in the conversation's sandbox.
     *
     * @param memoryId the conversation's memory id, which selects (or starts) its sandbox
     * @param command  the shell command line
     * @return the {@link dev.sandbox4j.ShellResult#render() rendered} result, or {@code error: } and the message
     *         when the sandbox could not run it
     */
    @Tool(name = "run_command", value = "Runs a shell command line with sh -c in this conversation's sandbox and "
            + "returns stdout, stderr (after a [stderr] line) and, last, [exit code N]. Long output keeps its head "
            + "and tail. Network access is limited to the hosts the sandbox's policy allows.")
    public String runCommand(@ToolMemoryId Object memoryId, @P(name = "command", value = "the command line, run by sh -c") String command) {
        try {
            return ShellTool.builder(sandboxes.get(memoryId)).timeout(timeout).build().run(command).render();
        } catch (SandboxException e) {
            return "error: " + e.getMessage();
        }
    }

    /**
     * The {@code write_file} tool: writes {@code content} as UTF-8 to {@code path} in the conversation's sandbox,
     * creating parent directories and replacing what was there.
     *
     * @param memoryId the conversation's memory id, which selects (or starts) its sandbox
     * @param path     the file path in the sandbox, absolute or relative to its workdir
     * @param content  the whole new content
     * @return {@code wrote N bytes to PATH}, or {@code error: } and the message
     */
    @Tool(name = "write_file", value = "Writes text to a file in this conversation's sandbox, creating parent "
            + "directories and replacing what was there.")
    public String writeFile(@ToolMemoryId Object memoryId, @P(name = "path", value = "file path in the sandbox") String path,
                            @P(name = "content", value = "the whole new content") String content) {
        try {
            sandboxes.get(memoryId).files().write(path, content);
            return "wrote " + content.getBytes(StandardCharsets.UTF_8).length + " bytes to " + path;
        } catch (SandboxException e) {
            return "error: " + e.getMessage();
        }
    }

    /**
     * The {@code read_file} tool: reads a text file from the conversation's sandbox, decoded as UTF-8.
     *
     * @param memoryId the conversation's memory id, which selects (or starts) its sandbox
     * @param path     the file path in the sandbox, absolute or relative to its workdir
     * @return the file's content, or {@code error: } and the message (for example when it does not exist)
     */
    @Tool(name = "read_file", value = "Reads a text file from this conversation's sandbox.")
    public String readFile(@ToolMemoryId Object memoryId, @P(name = "path", value = "file path in the sandbox") String path) {
        try {
            return sandboxes.get(memoryId).files().readString(path);
        } catch (SandboxException e) {
            return "error: " + e.getMessage();
        }
    }
}
