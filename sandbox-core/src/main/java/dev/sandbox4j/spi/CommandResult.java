package dev.sandbox4j.spi;

import dev.sandbox4j.CommandFailedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** The outcome of a finished OS process. */
public record CommandResult(List<String> argv, int exitCode, byte[] stdoutBytes, byte[] stderrBytes,
                            Duration elapsed, long droppedBytes) {
    public CommandResult {
        argv = List.copyOf(argv);
    }

    public String stdout() {
        return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    public String stderr() {
        return new String(stderrBytes, StandardCharsets.UTF_8);
    }

    /** Returns this result when the exit code is 0, else throws {@link CommandFailedException}. */
    public CommandResult requireSuccess() {
        if (exitCode != 0) {
            throw new CommandFailedException(argv, exitCode, stderr());
        }
        return this;
    }
}
