package dev.sandbox4j.langchain4j;

import static dev.sandbox4j.langchain4j.ScriptedChatModel.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import dev.sandbox4j.ConversationSandboxes;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link SandboxTools} driven by LangChain4j's own AI service and tool machinery: a scripted chat model asks for
 * tool calls, LangChain4j parses their JSON arguments, calls the {@code @Tool} methods with the conversation's
 * memory id, and feeds the results back. The tools run in real sandboxes, one per memory id.
 */
class SandboxToolsTest {
    interface Assistant {
        String chat(@MemoryId String conversation, @UserMessage String message);
    }

    @Test
    void eachMemoryIdGetsItsOwnSandboxAndTheModelSeesOutputsExitCodesAndErrors() {
        RuntimeRequirement.require("podman");
        String run = UUID.randomUUID().toString().substring(0, 8);
        SandboxSpec spec = Sandbox.builder().image(TestImages.busybox()).workdir("/work")
                .label("lc4j-test", run).build();
        ScriptedChatModel model = new ScriptedChatModel(Map.of(
                "save a note", List.of(
                        call("write_file", "{\"path\":\"/work/note.txt\",\"content\":\"from A\\n\"}"),
                        call("run_command", "{\"command\":\"cat /work/note.txt; echo oops >&2; exit 4\"}")),
                "read the note", List.of(call("read_file", "{\"path\":\"/work/note.txt\"}"))));
        try (ConversationSandboxes sandboxes = ConversationSandboxes.builder(spec).poolSize(0).build()) {
            Assistant assistant = AiServices.builder(Assistant.class)
                    .chatModel(model)
                    .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20))
                    .tools(new SandboxTools(sandboxes))
                    .build();

            String saved = assistant.chat("A", "save a note");
            String readByB = assistant.chat("B", "read the note");
            String readByA = assistant.chat("A", "read the note");

            assertThat(saved).isEqualTo("write_file: wrote 7 bytes to /work/note.txt\n"
                    + "run_command: from A\n[stderr]\noops\n[exit code 4]\n");
            assertThat(readByB).startsWith("read_file: error: cannot read /work/note.txt: no such file");
            assertThat(readByA).isEqualTo("read_file: from A\n");
            assertThat(sandboxes.conversations()).containsExactlyInAnyOrder("A", "B");
            assertThat(sandboxes.find("A").orElseThrow().id()).isNotEqualTo(sandboxes.find("B").orElseThrow().id());
            List<ToolSpecification> offered = model.requests().get(0).toolSpecifications();
            assertThat(offered).extracting(ToolSpecification::name)
                    .containsExactlyInAnyOrder("run_command", "write_file", "read_file");
            assertThat(offered.stream().filter(t -> t.name().equals("write_file")).findFirst().orElseThrow()
                    .parameters().required()).containsExactly("path", "content");
        }

        assertThat(containers(run)).as("sandboxes left after the registry closed").isEmpty();
    }

    @Test
    void codeExecutionEngineRunsCodeInTheSandboxAndReturnsErrorsForTheModel() {
        RuntimeRequirement.require("podman");
        try (Sandbox sandbox = Sandbox.builder().image(TestImages.busybox()).label("lc4j-test", "engine").start()) {
            dev.langchain4j.code.CodeExecutionEngine engine =
                    SandboxCodeExecutionEngine.detect(dev.sandbox4j.ShellTool.builder(sandbox).build());

            String ok = engine.execute("x=6; echo $((x * 7))");
            String failed = engine.execute("echo partial; no-such-command; exit 5");

            assertThat(((SandboxCodeExecutionEngine) engine).interpreter()).containsExactly("sh", "-s");
            assertThat(ok).isEqualTo("42\n");
            assertThat(failed).startsWith("partial\n[stderr]\n").contains("no-such-command")
                    .endsWith("[exit code 5]\n");
        }
    }

    @Test
    void codeExecutionEngineTimesOutAndSaysSo() {
        RuntimeRequirement.require("podman");
        try (Sandbox sandbox = Sandbox.builder().image(TestImages.busybox()).label("lc4j-test", "engine").start()) {
            SandboxCodeExecutionEngine engine = new SandboxCodeExecutionEngine(
                    dev.sandbox4j.ShellTool.builder(sandbox).build(), List.of("sh", "-s"), Duration.ofSeconds(1));

            String output = engine.execute("echo before; sleep 30; echo after");

            assertThat(output).startsWith("before\n").contains("[timed out after 1 s: the command was killed]")
                    .endsWith("[exit code 124]\n").doesNotContain("\nafter");
        }
    }

    private static List<String> containers(String run) {
        return CommandRunner.system().run(Command.of(List.of("podman", "ps", "-a", "--filter",
                "label=lc4j-test=" + run, "--format", "{{.Names}}"), Duration.ofSeconds(30)))
                .stdout().lines().filter(l -> !l.isBlank()).toList();
    }
}
