package dev.sandbox4j.cli;

import dev.sandbox4j.SandboxRuntime;
import picocli.CommandLine.Option;

/** The {@code --runtime NAME} option of every command that works on existing sandboxes (a picocli mixin). */
final class RuntimeOption {
    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String name;

    /** The shared runtime, or it with {@code --runtime NAME}. */
    SandboxRuntime runtime() {
        return Targets.runtime(name);
    }
}
