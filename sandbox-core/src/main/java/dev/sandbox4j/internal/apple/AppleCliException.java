package dev.sandbox4j.internal.apple;

import dev.sandbox4j.CommandFailedException;
import java.util.List;

/**
 * A {@code container} CLI command failed, with what its {@code Error: } text meant. Callers that can recover
 * (a container already gone when removing it, say) test {@link #kind()}.
 */
public class AppleCliException extends CommandFailedException {
    private static final long serialVersionUID = 1L;

    private final AppleErrorKind kind;

    public AppleCliException(String message, AppleErrorKind kind, List<String> argv, int exitCode, String stderr) {
        super(message, argv, exitCode, stderr);
        this.kind = kind;
    }

    public AppleErrorKind kind() {
        return kind;
    }
}
