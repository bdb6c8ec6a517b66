package dev.sandbox4j;

/**
 * The root of every exception Sandbox4j throws. Unchecked, so that a caller that cannot recover need not
 * declare it; the subclasses carry the data a caller that can recover needs.
 */
public class SandboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the given message.
     *
     * @param message the detail message
     */
    public SandboxException(String message) {
        super(message);
    }

    /**
     * An exception with the given message and cause.
     *
     * @param message the detail message
     * @param cause   the underlying error
     */
    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
