package dev.sandbox4j.langchain4j;

import dev.langchain4j.code.CodeExecutionEngine;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.ShellResult;
import dev.sandbox4j.ShellTool;
import java.time.Duration;
import java.util.List;

/**
 * LangChain4j's {@link CodeExecutionEngine}, running code inside a sandbox: the code goes to the interpreter's
 * standard input ({@code python3 -} or {@code sh -s}), so nothing is written to the sandbox's disk and nothing needs
 * quoting. Success returns standard output; failure returns the {@linkplain ShellResult#render() rendered} result
 * (stderr, the exit code, cut and time-out markers) so the model can correct itself.
 *
 * <pre>{@code
 * CodeExecutionEngine engine = SandboxCodeExecutionEngine.detect(ShellTool.builder(sandbox).build());
 * String output = engine.execute("print(6 * 7)");
 * }</pre>
 */
public final class SandboxCodeExecutionEngine implements CodeExecutionEngine {
    private final ShellTool shell;
    private final List<String> interpreter;
    private final Duration timeout;

    /**
     * Runs code with {@code interpreter}, which must read its program from stdin (e.g. {@code python3 -}).
     *
     * @param shell       the tool whose sandbox runs the code
     * @param interpreter the interpreter's argument list; copied
     * @param timeout     the time limit of each run, positive
     * @throws SandboxConfigException if {@code shell} is null or {@code interpreter} is null or empty
     */
    public SandboxCodeExecutionEngine(ShellTool shell, List<String> interpreter, Duration timeout) {
        if (shell == null || interpreter == null || interpreter.isEmpty()) {
            throw new SandboxConfigException("a code execution engine needs a shell tool and an interpreter such as "
                    + "List.of(\"python3\", \"-\")");
        }
        this.shell = shell;
        this.interpreter = List.copyOf(interpreter);
        this.timeout = timeout;
    }

    /**
     * Python 3 ({@code python3 -}) when the sandbox's image has it, else the POSIX shell ({@code sh -s}). Runs one
     * command in the sandbox to find out.
     *
     * @param shell the tool whose sandbox runs the code; its time limit becomes the engine's
     * @return the engine
     */
    public static SandboxCodeExecutionEngine detect(ShellTool shell) {
        boolean python = shell.run("command -v python3 >/dev/null 2>&1").succeeded();
        return new SandboxCodeExecutionEngine(shell, python ? List.of("python3", "-") : List.of("sh", "-s"),
                shell.timeout());
    }

    /** {@return the interpreter's argument list; unmodifiable} */
    public List<String> interpreter() {
        return interpreter;
    }

    @Override
    public String execute(String code) {
        ShellResult r = shell.run(interpreter, code, timeout);
        return r.succeeded() && !r.truncated() ? r.stdout() : r.render();
    }
}
