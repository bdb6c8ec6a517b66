package dev.sandbox4j;

/** A sandbox could not be started. Everything that had been created for it was removed before this was thrown. */
public class SandboxStartException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxStartException(String message, Throwable cause) {
        super(message, cause);
    }

    public SandboxStartException(String message) {
        super(message);
    }
}
