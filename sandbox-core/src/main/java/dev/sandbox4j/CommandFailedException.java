package dev.sandbox4j;

import java.util.List;

/**
 * A runtime CLI command (not a command inside a sandbox) exited with a non-zero status. Carries the argument
 * list, the exit code and the CLI's standard error.
 */
public class CommandFailedException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /** The command's argument list, program first. */
    private final List<String> argv;
    /** The command's non-zero exit status. */
    private final int exitCode;
    /** What the command wrote to standard error. */
    private final String stderr;

    /**
     * An exception whose message is the command line, the exit code and the stripped standard error.
     *
     * @param argv     the command's argument list, program first; copied
     * @param exitCode the non-zero exit status
     * @param stderr   what the command wrote to standard error; not null
     */
    public CommandFailedException(List<String> argv, int exitCode, String stderr) {
        this(describe(argv, exitCode, stderr), argv, exitCode, stderr);
    }

    /**
     * An exception with a message of the caller's choosing.
     *
     * @param message  the detail message
     * @param argv     the command's argument list, program first; copied
     * @param exitCode the non-zero exit status
     * @param stderr   what the command wrote to standard error
     */
    public CommandFailedException(String message, List<String> argv, int exitCode, String stderr) {
        super(message);
        this.argv = List.copyOf(argv);
        this.exitCode = exitCode;
        this.stderr = stderr;
    }

    private static String describe(List<String> argv, int exitCode, String stderr) {
        String err = stderr.strip();
        return "`" + String.join(" ", argv) + "` exited with " + exitCode + (err.isEmpty() ? "" : ": " + err);
    }

    /** {@return the argument list of the command that failed, program first; unmodifiable} */
    public List<String> argv() {
        return argv;
    }

    /** {@return the command's exit status (non-zero)} */
    public int exitCode() {
        return exitCode;
    }

    /** {@return what the command wrote to standard error, unstripped} */
    public String stderr() {
        return stderr;
    }
}
