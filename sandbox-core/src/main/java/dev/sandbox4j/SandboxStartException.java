package dev.sandbox4j;

/** A sandbox could not be started. Everything that had been created for it was removed before this was thrown. */
public class SandboxStartException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the given message and cause.
     *
     * @param message what failed during the start
     * @param cause   the underlying error
     */
    public SandboxStartException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * An exception with the given message.
     *
     * @param message what failed during the start
     */
    public SandboxStartException(String message) {
        super(message);
    }
}
