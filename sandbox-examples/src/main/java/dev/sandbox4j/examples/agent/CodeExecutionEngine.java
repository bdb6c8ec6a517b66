package dev.sandbox4j.examples.agent;

/**
 * Runs a piece of code and returns what it printed. This mirrors the shape of LangChain4j's
 * {@code dev.langchain4j.code.CodeExecutionEngine} ({@code String execute(String code)}) without depending on
 * LangChain4j: an application that uses LangChain4j wraps {@link SandboxCodeExecutionEngine} in a one-line
 * lambda, {@code CodeExecutionEngine engine = sandboxEngine::execute;}, of LangChain4j's own interface.
 */
@FunctionalInterface
public interface CodeExecutionEngine {
    /** Runs {@code code} and returns its output (or a description of its failure) as text for a model. */
    String execute(String code);
}
