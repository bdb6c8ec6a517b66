package dev.sandbox4j.examples.agent;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.egress.EgressPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The code samples of {@code docs/agents.md}, compiled. The docs quote the bodies between the {@code // docs:}
 * markers verbatim; {@code DocsSnippetsTest} keeps them identical.
 */
public final class AgentRecipes {
    private AgentRecipes() {
    }

    /** A sandbox for one agent task: the project mounted, limits set, egress limited to a package index. */
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
                .start();
        // docs:end
        return sandbox;
    }

    /** The shell tool an agent framework calls. */
    public static String shellTool(Sandbox sandbox) {
        // docs:shell
        ShellTool shell = ShellTool.builder(sandbox)
                .maxOutputBytes(16 * 1024)
                .timeout(Duration.ofSeconds(30))
                .build();
        ShellResult result = shell.run("ls -l /work | head");
        String forTheModel = result.render();
        // docs:end
        return forTheModel;
    }

    /** The CodeExecutionEngine-shaped adapter. */
    public static String codeEngine(ShellTool shell) {
        // docs:engine
        CodeExecutionEngine engine = SandboxCodeExecutionEngine.detect(shell);
        String output = engine.execute("print(6 * 7)");
        // docs:end
        return output;
    }
}
