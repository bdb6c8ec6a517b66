package dev.sandbox4j;

/** An operation was asked of a sandbox that has already been closed. Start a new sandbox instead. */
public class SandboxClosedException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxClosedException(String message) {
        super(message);
    }
}
