package dev.sandbox4j.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A chat model that plays a script instead of calling a real model: for a user message it knows, it asks for the
 * scripted tool calls; once LangChain4j has run them and sent back their results, it answers with those results,
 * one line per tool ({@code name: result}). A user message outside the script fails the test.
 */
final class ScriptedChatModel implements ChatModel {
    private final Map<String, List<ToolExecutionRequest>> script;
    private final AtomicInteger ids = new AtomicInteger();
    private final List<ChatRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    ScriptedChatModel(Map<String, List<ToolExecutionRequest>> script) {
        this.script = Map.copyOf(script);
    }

    static ToolExecutionRequest call(String tool, String argumentsJson) {
        return ToolExecutionRequest.builder().name(tool).arguments(argumentsJson).build();
    }

    /** Every request the model received, in order. */
    List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.get(messages.size() - 1);
        if (last instanceof UserMessage user) {
            List<ToolExecutionRequest> calls = script.get(user.singleText());
            if (calls == null) {
                throw new AssertionError("no script for user message: " + user.singleText());
            }
            List<ToolExecutionRequest> withIds = new ArrayList<>();
            for (ToolExecutionRequest c : calls) {
                withIds.add(ToolExecutionRequest.builder().id("call-" + ids.incrementAndGet()).name(c.name())
                        .arguments(c.arguments()).build());
            }
            return ChatResponse.builder().aiMessage(AiMessage.from(withIds)).build();
        }
        List<String> results = new ArrayList<>();
        for (int i = messages.size() - 1; i >= 0 && messages.get(i) instanceof ToolExecutionResultMessage; i--) {
            ToolExecutionResultMessage r = (ToolExecutionResultMessage) messages.get(i);
            results.add(0, r.toolName() + ": " + r.text());
        }
        if (results.isEmpty()) {
            throw new AssertionError("expected tool results after the tool calls, got " + last);
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(String.join("\n", results))).build();
    }
}
