package dev.sandbox4j;

/**
 * One entry of a directory inside a sandbox, as {@link SandboxFiles#list(String)} reports it.
 *
 * @param name the entry's name (no slashes)
 * @param path the entry's absolute path inside the sandbox
 * @param type what it is; a symbolic link is reported as a link, not as what it points to
 * @param size its size in bytes for a regular file; 0 for everything else
 */
public record SandboxFile(String name, String path, Type type, long size) {
    /** Kinds of directory entries. */
    public enum Type {
        /** A regular file. */
        FILE,
        /** A directory. */
        DIRECTORY,
        /** A symbolic link, whatever it points to (or if it points nowhere). */
        SYMLINK,
        /** Anything else: a device, a FIFO, a socket. */
        OTHER
    }

    /** {@return whether this entry is a directory (a symbolic link to one is not)} */
    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }

    /** {@return whether this entry is a regular file (a symbolic link to one is not)} */
    public boolean isFile() {
        return type == Type.FILE;
    }
}
