package dev.sandbox4j;

/** An operation was asked of a sandbox that has already been closed. Start a new sandbox instead. */
public class SandboxClosedException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the given message.
     *
     * @param message what was asked and of which sandbox
     */
    public SandboxClosedException(String message) {
        super(message);
    }
}
