package dev.sandbox4j.cli;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sandbox cp}: copies files between the host and a running sandbox. */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = {"Copy a file or directory between the host and a running sandbox, as 'docker cp' does.",
                "One side is SANDBOX:PATH (an absolute path inside); the other a host path. Exit code 1 if the",
                "sandbox is not found."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandbox cp ./input.txt web:/work/input.txt", "  sandbox cp web:/work/out ./out", ""})
public final class CpCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RuntimeOption runtime = new RuntimeOption();

    @Parameters(index = "0", paramLabel = "SRC", description = "SANDBOX:PATH or a host path.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "SANDBOX:PATH or a host path.")
    String target;

    @Override
    public Integer call() {
        int s = sandboxSide(source);
        int t = sandboxSide(target);
        if ((s < 0) == (t < 0)) {
            throw new SandboxConfigException("cp " + source + " " + target + ": exactly one side must be "
                    + "SANDBOX:/path, e.g. sandbox cp ./in.txt web:/work/in.txt");
        }
        SandboxRuntime rt = runtime.runtime();
        String ref = s >= 0 ? source.substring(0, s) : target.substring(0, t);
        String inside = s >= 0 ? source.substring(s + 1) : target.substring(t + 1);
        if (!inside.startsWith("/")) {
            throw new SandboxConfigException("cp: the path inside the sandbox, \"" + inside + "\", must be absolute");
        }
        SandboxInfo sandbox = Targets.require(rt, ref);
        if (s >= 0) {
            rt.backend().copyFrom(sandbox.id(), inside, Path.of(target).toAbsolutePath(), TIMEOUT);
        } else {
            Path from = Path.of(source).toAbsolutePath();
            if (!Files.exists(from)) {
                throw new SandboxConfigException("cp: " + from + " does not exist");
            }
            rt.backend().copyTo(sandbox.id(), from, inside, TIMEOUT);
        }
        return 0;
    }

    /** The index of the colon after a sandbox reference, or -1 for a host path. */
    private static int sandboxSide(String arg) {
        int colon = arg.indexOf(':');
        if (colon <= 0 || arg.startsWith("/") || arg.startsWith(".")) {
            return -1;
        }
        return colon;
    }
}
