package dev.sandbox4j.spi;

import dev.sandbox4j.CommandFailedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of a finished OS process.
 *
 * @param argv         the argument list that ran, program first
 * @param exitCode     the exit status
 * @param stdoutBytes  standard output as kept (up to {@link Command#maxOutputBytes()}); not copied
 * @param stderrBytes  standard error as kept; not copied
 * @param elapsed      how long the process ran
 * @param droppedBytes output bytes beyond the limit that were not kept
 */
public record CommandResult(List<String> argv, int exitCode, byte[] stdoutBytes, byte[] stderrBytes,
                            Duration elapsed, long droppedBytes) {
    /**
     * Copies the argument list into an unmodifiable one.
     *
     * @param argv         the argument list that ran, program first
     * @param exitCode     the exit status
     * @param stdoutBytes  standard output as kept (up to {@link Command#maxOutputBytes()}); not copied
     * @param stderrBytes  standard error as kept; not copied
     * @param elapsed      how long the process ran
     * @param droppedBytes output bytes beyond the limit that were not kept
     */
    public CommandResult {
        argv = List.copyOf(argv);
    }

    /** {@return standard output decoded as UTF-8 (malformed bytes become U+FFFD)} */
    public String stdout() {
        return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** {@return standard error decoded as UTF-8 (malformed bytes become U+FFFD)} */
    public String stderr() {
        return new String(stderrBytes, StandardCharsets.UTF_8);
    }

    /**
     * Returns this result when the exit code is 0, else throws {@link CommandFailedException}.
     *
     * @return this result
     * @throws CommandFailedException if the exit code is not 0; it carries the argument list, code and stderr
     */
    public CommandResult requireSuccess() {
        if (exitCode != 0) {
            throw new CommandFailedException(argv, exitCode, stderr());
        }
        return this;
    }
}
