package dev.sandbox4j.examples;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxRuntime;
import dev.sandbox4j.spi.CommandRunner;

/** A {@link SandboxRuntime} of one's own, as docs/architecture.md shows it. */
public final class RuntimeExample {
    private RuntimeExample() {
    }

    /**
     * Starts a sandbox whose every runtime CLI call goes through {@code recordingRunner}.
     *
     * @param recordingRunner the runner that records (and carries out) each CLI call
     * @return the started sandbox; the caller closes it
     */
    public static Sandbox startWith(CommandRunner recordingRunner) {
        // docs:runtime
        SandboxRuntime runtime = SandboxRuntime.builder()
                .commandRunner(recordingRunner)   // default CommandRunner.system()
                .runtime("podman")                // default: detected
                .build();
        Sandbox sandbox = runtime.start(Sandbox.builder().image("localhost/busybox:latest").build());
        runtime.list();                           // the same management operations as Sandboxes
        // docs:end
        return sandbox;
    }
}
