package dev.sandbox4j.springai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ConversationSandboxes;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The auto-configuration in a real Spring Boot context: properties become the sandboxes' spec, the tool callbacks
 * are a bean, and Spring AI's own {@link ToolCallingManager} executes a model's tool calls with them in real
 * sandboxes, one per conversation id. Closing the context removes every sandbox.
 */
@SpringBootTest(classes = SandboxAutoConfigurationTest.App.class)
class SandboxAutoConfigurationTest {
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @SpringBootApplication
    static class App {
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        RuntimeRequirement.require("podman");
        registry.add("sandbox4j.image", TestImages::busybox);
        registry.add("sandbox4j.policy", () -> "allow pypi.org:443\nallow files.pythonhosted.org:443");
        registry.add("sandbox4j.pool-size", () -> "1");
        registry.add("sandbox4j.workdir", () -> "/work");
        registry.add("sandbox4j.labels.spring-test", () -> RUN);
    }

    @Autowired
    ToolCallbackProvider tools;
    @Autowired
    ConversationSandboxes sandboxes;

    @Test
    void propertiesBecomeTheSpecAndToolsRunInOneSandboxPerConversation() {
        ToolCallingManager manager = ToolCallingManager.builder().build();
        List<ToolCallback> callbacks = Arrays.asList(tools.getToolCallbacks());

        ToolExecutionResult alice = execute(manager, callbacks, "alice",
                new AssistantMessage.ToolCall("1", "function", "write_file",
                        "{\"path\":\"note.txt\",\"content\":\"alice's note\\n\"}"),
                new AssistantMessage.ToolCall("2", "function", "run_command",
                        "{\"command\":\"cat /work/note.txt; ls /nowhere\"}"));
        ToolExecutionResult bob = execute(manager, callbacks, "bob",
                new AssistantMessage.ToolCall("3", "function", "read_file", "{\"path\":\"/work/note.txt\"}"));
        ToolExecutionResult aliceAgain = execute(manager, callbacks, "alice",
                new AssistantMessage.ToolCall("4", "function", "list_files", "{\"path\":\"/work\"}"));

        assertThat(callbacks).extracting(c -> c.getToolDefinition().name())
                .containsExactly("run_command", "write_file", "read_file", "list_files");
        assertThat(sandboxes.find("alice").orElseThrow().spec().egress())
                .isEqualTo(EgressPolicy.parse("allow pypi.org:443\nallow files.pythonhosted.org:443"));
        assertThat(sandboxes.find("alice").orElseThrow().spec().labels()).containsEntry("spring-test", RUN);
        assertThat(responses(alice)).containsExactly("wrote 13 bytes to note.txt",
                "alice's note\n[stderr]\nls: /nowhere: No such file or directory\n[exit code 1]\n");
        assertThat(responses(bob)).singleElement().asString()
                .startsWith("error: cannot read /work/note.txt: no such file");
        assertThat(responses(aliceAgain)).containsExactly("note.txt (13 bytes)\n");
        assertThat(sandboxes.conversations()).containsExactlyInAnyOrder("alice", "bob");

        sandboxes.close();
        assertThat(containers()).as("sandboxes after the registry bean is closed").isEmpty();
    }

    private static ToolExecutionResult execute(ToolCallingManager manager, List<ToolCallback> callbacks,
                                               String conversation, AssistantMessage.ToolCall... calls) {
        DefaultToolCallingChatOptions options = new DefaultToolCallingChatOptions();
        options.setToolCallbacks(callbacks);
        options.setToolContext(Map.of(ChatMemory.CONVERSATION_ID, conversation));
        Prompt prompt = new Prompt("use the sandbox", options);
        AssistantMessage reply = AssistantMessage.builder().content("").toolCalls(List.of(calls)).build();
        return manager.executeToolCalls(prompt, new ChatResponse(List.of(new Generation(reply))));
    }

    private static List<String> responses(ToolExecutionResult result) {
        ToolResponseMessage last = (ToolResponseMessage) result.conversationHistory()
                .get(result.conversationHistory().size() - 1);
        return last.getResponses().stream().map(ToolResponseMessage.ToolResponse::responseData).toList();
    }

    private static List<String> containers() {
        return CommandRunner.system().run(Command.of(List.of("podman", "ps", "-a", "--filter",
                "label=spring-test=" + RUN, "--format", "{{.Names}}"), Duration.ofSeconds(30)))
                .stdout().lines().filter(l -> !l.isBlank()).toList();
    }
}
