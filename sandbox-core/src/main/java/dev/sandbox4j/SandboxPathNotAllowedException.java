package dev.sandbox4j;

/**
 * A path outside what a {@link SandboxFiles} view may touch: above its root (through {@code ..} or through a
 * symbolic link that points out of it). Nothing was read or changed.
 */
public class SandboxPathNotAllowedException extends SandboxFileException {
    private static final long serialVersionUID = 1L;

    private final String root;

    public SandboxPathNotAllowedException(String path, String root, String message) {
        super(path, message);
        this.root = root;
    }

    /** The directory the view is confined to. */
    public String root() {
        return root;
    }
}
