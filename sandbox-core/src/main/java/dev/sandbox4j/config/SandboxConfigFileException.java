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
    /** 1-based line of the offending key or value. */
    private final int line;
    /** 1-based column of the offending key or value. */
    private final int column;

    /**
     * An exception whose message is {@code file:line:column: problem}.
     *
     * @param file    the configuration file
     * @param line    1-based line of the offending key or value
     * @param column  1-based column of the offending key or value
     * @param problem what is wrong and how to fix it
     */
    public SandboxConfigFileException(Path file, int line, int column, String problem) {
        super(file + ":" + line + ":" + column + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    /**
     * An exception whose message is {@code file:line:column: problem}, with a cause.
     *
     * @param file    the configuration file
     * @param line    1-based line of the offending key or value
     * @param column  1-based column of the offending key or value
     * @param problem what is wrong and how to fix it
     * @param cause   the error that showed the problem, such as a read failure
     */
    public SandboxConfigFileException(Path file, int line, int column, String problem, Throwable cause) {
        super(file + ":" + line + ":" + column + ": " + problem, cause);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    /** {@return the file that holds the problem; {@code null} after deserialisation, as the path is not serialised} */
    public Path file() {
        return file;
    }

    /** {@return the 1-based line of the offending key or value} */
    public int line() {
        return line;
    }

    /** {@return the 1-based column of the offending key or value} */
    public int column() {
        return column;
    }
}
