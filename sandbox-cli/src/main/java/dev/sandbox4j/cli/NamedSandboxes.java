package dev.sandbox4j.cli;

import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The arguments of a command that acts on the sandboxes it names, one by one ({@code inspect}, {@code rm},
 * {@code stop}): {@code SANDBOX...} and {@code --runtime} (a picocli mixin).
 */
final class NamedSandboxes {
    @Mixin
    RuntimeOption runtime = new RuntimeOption();

    @Parameters(arity = "1..*", paramLabel = "SANDBOX", description = "Names (--name or sb4j-...), ids or id prefixes.")
    List<String> ids;

    /** What a command does with one sandbox it found. */
    interface Action {
        void apply(SandboxRuntime runtime, SandboxInfo sandbox) throws InterruptedException;
    }

    /**
     * Applies {@code action} to each named sandbox in order; a name that matches nothing is reported on {@code err}
     * and the others still go ahead. Returns the exit code: 1 if any name matched nothing, else 0.
     */
    int forEach(PrintWriter err, Action action) throws InterruptedException {
        SandboxRuntime rt = runtime.runtime();
        int code = 0;
        for (String id : ids) {
            Optional<SandboxInfo> found = Targets.find(rt, id);
            if (found.isEmpty()) {
                err.println("sandbox: " + Targets.notFound(id));
                code = Targets.EXIT_NOT_FOUND;
                continue;
            }
            action.apply(rt, found.get());
        }
        return code;
    }
}
