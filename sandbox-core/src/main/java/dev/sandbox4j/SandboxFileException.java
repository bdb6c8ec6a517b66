package dev.sandbox4j;

/**
 * A file operation of {@link SandboxFiles} that the sandbox refused or could not do, naming the path inside the
 * sandbox. The subclasses {@link SandboxFileNotFoundException} and {@link SandboxPathNotAllowedException} mark
 * the two cases a caller (or a model) usually acts on; everything else (permission denied, a read-only mount,
 * a full disk) is this class with the sandbox's own error text.
 */
public class SandboxFileException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /** The path inside the sandbox, as the caller gave it. */
    private final String path;

    /**
     * An exception about {@code path}.
     *
     * @param path    the path inside the sandbox, as the caller gave it
     * @param message what went wrong, usually with the sandbox's own error text
     */
    public SandboxFileException(String path, String message) {
        super(message);
        this.path = path;
    }

    /** {@return the path inside the sandbox the operation was about, as the caller gave it} */
    public String path() {
        return path;
    }
}
