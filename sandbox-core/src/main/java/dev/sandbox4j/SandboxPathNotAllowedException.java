package dev.sandbox4j;

/**
 * A path outside what a {@link SandboxFiles} view may touch: above its root (through {@code ..} or through a
 * symbolic link that points out of it). Nothing was read or changed.
 */
public class SandboxPathNotAllowedException extends SandboxFileException {
    private static final long serialVersionUID = 1L;

    /** The directory the view is confined to. */
    private final String root;

    /**
     * An exception about a {@code path} that leads outside {@code root}.
     *
     * @param path    the path inside the sandbox, as the caller gave it
     * @param root    the directory the view is confined to
     * @param message how the path leaves the root
     */
    public SandboxPathNotAllowedException(String path, String root, String message) {
        super(path, message);
        this.root = root;
    }

    /** {@return the directory the view is confined to} */
    public String root() {
        return root;
    }
}
