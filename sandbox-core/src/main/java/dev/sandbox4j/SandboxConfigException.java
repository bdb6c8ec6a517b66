package dev.sandbox4j;

/**
 * A sandbox, exec or policy description that cannot work, found before anything was started. The message says
 * which setting is wrong and how to fix it.
 */
public class SandboxConfigException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxConfigException(String message) {
        super(message);
    }

    public SandboxConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
