package dev.sandbox4j;

/**
 * A sandbox, exec or policy description that cannot work, found before anything was started. The message says
 * which setting is wrong and how to fix it.
 */
public class SandboxConfigException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the given message.
     *
     * @param message which setting is wrong and how to fix it
     */
    public SandboxConfigException(String message) {
        super(message);
    }

    /**
     * An exception with the given message and cause.
     *
     * @param message which setting is wrong and how to fix it
     * @param cause   the error that showed the setting to be wrong
     */
    public SandboxConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
