package dev.sandbox4j.config;

import dev.sandbox4j.SandboxConfigException;
import java.nio.file.Path;

/**
 * A configuration file ({@code sandbox.json}, {@code devcontainer.json}) that cannot be used. The message starts
 * with {@code file:line:column}, names the offending key and says how to fix it; the same position is available
 * as data.
 */
public class SandboxConfigFileException extends SandboxConfigException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final int column;

    public SandboxConfigFileException(Path file, int line, int column, String problem) {
        super(file + ":" + line + ":" + column + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public SandboxConfigFileException(Path file, int line, int column, String problem, Throwable cause) {
        super(file + ":" + line + ":" + column + ": " + problem, cause);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    /** The file that holds the problem. */
    public Path file() {
        return file;
    }

    /** 1-based line of the offending key or value. */
    public int line() {
        return line;
    }

    /** 1-based column of the offending key or value. */
    public int column() {
        return column;
    }
}
