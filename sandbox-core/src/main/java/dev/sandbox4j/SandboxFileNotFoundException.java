package dev.sandbox4j;

/**
 * A path inside the sandbox that should exist does not. (A directory where a file is expected, or a file where a
 * directory is, is a plain {@link SandboxFileException}.)
 */
public class SandboxFileNotFoundException extends SandboxFileException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception about the missing {@code path}.
     *
     * @param path    the path inside the sandbox, as the caller gave it
     * @param message what was missing
     */
    public SandboxFileNotFoundException(String path, String message) {
        super(path, message);
    }
}
