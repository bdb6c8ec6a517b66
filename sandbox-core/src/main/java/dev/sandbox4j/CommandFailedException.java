package dev.sandbox4j;

import java.util.List;

/**
 * A runtime CLI command (not a command inside a sandbox) exited with a non-zero status. Carries the argument
 * list, the exit code and the CLI's standard error.
 */
public class CommandFailedException extends SandboxException {
    private static final long serialVersionUID = 1L;

    private final List<String> argv;
    private final int exitCode;
    private final String stderr;

    public CommandFailedException(List<String> argv, int exitCode, String stderr) {
        this(describe(argv, exitCode, stderr), argv, exitCode, stderr);
    }

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

    public List<String> argv() {
        return argv;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }
}
