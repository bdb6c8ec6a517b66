package dev.sandbox4j.examples.agent;

import dev.langchain4j.code.CodeExecutionEngine;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import dev.sandbox4j.ConversationSandboxes;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxFile;
import dev.sandbox4j.SandboxFiles;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.ShellResult;
import dev.sandbox4j.ShellTool;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.langchain4j.SandboxCodeExecutionEngine;
import dev.sandbox4j.langchain4j.SandboxTools;
import dev.sandbox4j.mcp.SandboxMcpServer;
import dev.sandbox4j.springai.SandboxToolCallbackProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/**
 * The core-API samples of {@code docs/agents.md}, compiled. The docs quote the bodies between the {@code // docs:}
 * markers verbatim; {@code DocsSnippetsTest} keeps them identical. The framework samples compile against the real
 * modules: the MCP server embedded, LangChain4j's AI services and code execution engine, a Spring AI chat request.
 */
public final class AgentRecipes {
    private AgentRecipes() {
    }

    /**
     * A sandbox for one agent task: the project mounted, limits set, egress limited to a package index.
     *
     * @param project the host directory mounted read-write at {@code /work}
     * @return the started sandbox; the caller closes it
     */
    public static Sandbox sandboxForAgent(Path project) {
        // docs:sandbox
        Sandbox sandbox = Sandbox.builder()
                .image("localhost/agent-tools:latest")
                .mount(project, "/work")
                .workdir("/work")
                .cpus(2)
                .memory("1g")
                .egress(EgressPolicy.denyAll()
                        .allow("pypi.org", 443)
                        .allow("files.pythonhosted.org", 443))
                .idleTimeout(Duration.ofMinutes(10))
                .maxLifetime(Duration.ofHours(2))
                .start();
        // docs:end
        return sandbox;
    }

    /**
     * The shell tool an agent framework calls.
     *
     * @param sandbox the sandbox the command runs in
     * @return the result of {@code make test} rendered for a model
     */
    public static String shellTool(Sandbox sandbox) {
        // docs:shell
        ShellTool shell = ShellTool.builder(sandbox)
                .headBytes(4 * 1024)
                .tailBytes(12 * 1024)
                .timeout(Duration.ofSeconds(30))
                .build();
        ShellResult result = shell.run("make test");
        String forTheModel = result.render();
        // docs:end
        return forTheModel;
    }

    /**
     * Files in and out of the sandbox from memory.
     *
     * @param sandbox the sandbox whose files to use
     * @return the entries of {@code /work} after the first write
     */
    public static List<SandboxFile> files(Sandbox sandbox) {
        // docs:files
        SandboxFiles files = sandbox.files();
        files.write("/work/main.py", "print('hello')\n");
        String code = files.readString("/work/main.py");
        List<SandboxFile> entries = files.list("/work");
        files.delete("/work/main.py");

        SandboxFiles work = files.under("/work");   // refuses paths that lead out of /work
        work.write("notes/todo.txt", "relative to /work\n");
        // docs:end
        return code.isEmpty() ? List.of() : entries;
    }

    /**
     * One sandbox per conversation.
     *
     * @param spec           the spec each conversation's sandbox starts from
     * @param conversationId the conversation whose sandbox to use
     * @return the listing of {@code /work} in that sandbox
     */
    public static String conversations(SandboxSpec spec, String conversationId) {
        // docs:conversations
        try (ConversationSandboxes sandboxes = ConversationSandboxes.builder(spec)
                .poolSize(2)
                .idleTimeout(Duration.ofMinutes(15))
                .build()) {
            Sandbox sandbox = sandboxes.get(conversationId);   // the same one on every call for this id
            return sandbox.exec("sh", "-c", "ls /work").stdout();
        }
        // docs:end
    }

    /** An assistant whose tools run in the conversation's sandbox. */
    public interface Assistant {
        /**
         * Sends a user message in a conversation.
         *
         * @param conversation the conversation's id, which selects its sandbox
         * @param message      the user's message
         * @return the assistant's reply
         */
        String chat(@MemoryId String conversation, @UserMessage String message);
    }

    /**
     * The MCP server embedded in an application of your own; returns when standard input closes.
     *
     * @param spec the spec of the session sandbox
     */
    public static void mcp(SandboxSpec spec) {
        // docs:mcp
        SandboxMcpServer.create(spec).serve(System.in, System.out);   // returns when stdin closes
        // docs:end
    }

    /**
     * LangChain4j: the tools in an AI service, one sandbox per memory id.
     *
     * @param model the chat model behind the assistant
     * @param spec  the spec each conversation's sandbox starts from
     * @return the assistant's reply
     */
    public static String langchain4j(ChatModel model, SandboxSpec spec) {
        // docs:langchain
        try (ConversationSandboxes sandboxes = ConversationSandboxes.builder(spec).build()) {
            Assistant assistant = AiServices.builder(Assistant.class)
                    .chatModel(model)
                    .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20))
                    .tools(new SandboxTools(sandboxes))
                    .build();
            return assistant.chat("user-42", "Run the tests in /work and tell me what fails");
        }
        // docs:end
    }

    /**
     * LangChain4j's code execution engine.
     *
     * @param sandbox the sandbox the code runs in
     * @return the output of the program
     */
    public static String codeEngine(Sandbox sandbox) {
        // docs:engine
        CodeExecutionEngine engine = SandboxCodeExecutionEngine.detect(ShellTool.builder(sandbox).build());
        String output = engine.execute("print(6 * 7)");
        // docs:end
        return output;
    }

    /**
     * Spring AI: the auto-configured tools in a chat request.
     *
     * @param chatModel    the chat model to call
     * @param sandboxTools the auto-configured sandbox tools
     * @return the model's response
     */
    public static ChatResponse springAi(org.springframework.ai.chat.model.ChatModel chatModel,
                                        SandboxToolCallbackProvider sandboxTools) {
        // docs:springai
        return chatModel.call(new Prompt("Run the tests in /work and tell me what fails",
                ToolCallingChatOptions.builder()
                        .toolCallbacks(sandboxTools.getToolCallbacks())
                        .toolContext(Map.of(ChatMemory.CONVERSATION_ID, "user-42"))
                        .build()));
        // docs:end
    }
}
