package dev.sandbox4j;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * What a finished command left: its exit code, its standard output and standard error (kept apart), and how
 * long it ran. A non-zero exit code is a result, not an exception; call {@link #requireSuccess()} to turn it
 * into one. A command killed by signal n exits with 128 + n (137 for SIGKILL).
 */
public final class ExecResult {
    private final List<String> command;
    private final int exitCode;
    private final byte[] stdout;
    private final byte[] stderr;
    private final Duration elapsed;
    private final long droppedBytes;

    /**
     * A result; the list and the arrays are copied.
     *
     * @param command      the argument list that ran, program first
     * @param exitCode     the exit code (128 + n when signal n killed the command)
     * @param stdout       the standard output bytes kept
     * @param stderr       the standard error bytes kept
     * @param elapsed      how long the command ran
     * @param droppedBytes output bytes beyond the limit that were not kept; 0 for none
     */
    public ExecResult(List<String> command, int exitCode, byte[] stdout, byte[] stderr, Duration elapsed,
                      long droppedBytes) {
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.stdout = stdout.clone();
        this.stderr = stderr.clone();
        this.elapsed = elapsed;
        this.droppedBytes = droppedBytes;
    }

    /** {@return the argument list that ran, program first; unmodifiable} */
    public List<String> command() {
        return command;
    }

    /** {@return the exit code; 128 + n when signal n killed the command (137 for SIGKILL)} */
    public int exitCode() {
        return exitCode;
    }

    /** {@return whether the exit code is 0} */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** {@return standard output decoded as UTF-8 (malformed bytes become U+FFFD)} */
    public String stdout() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** {@return standard error decoded as UTF-8 (malformed bytes become U+FFFD)} */
    public String stderr() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** {@return standard output as the raw bytes kept; a fresh copy on each call} */
    public byte[] stdoutBytes() {
        return stdout.clone();
    }

    /** {@return standard error as the raw bytes kept; a fresh copy on each call} */
    public byte[] stderrBytes() {
        return stderr.clone();
    }

    /** {@return how long the command ran} */
    public Duration elapsed() {
        return elapsed;
    }

    /** {@return output bytes beyond {@link Exec#maxOutputBytes()} that were dropped; 0 when nothing was truncated} */
    public long droppedBytes() {
        return droppedBytes;
    }

    /** {@return whether output beyond {@link Exec#maxOutputBytes()} was dropped} */
    public boolean truncated() {
        return droppedBytes > 0;
    }

    /**
     * Returns this result if the command exited with 0, else throws with the command's stderr.
     *
     * @return this result
     * @throws SandboxException if the exit code is not 0; the message names the command, the code and the stderr
     */
    public ExecResult requireSuccess() {
        if (exitCode != 0) {
            throw new SandboxException("command " + command + " exited with " + exitCode
                    + (stderr.length == 0 ? "" : ": " + stderr().strip()));
        }
        return this;
    }

    @Override
    public String toString() {
        return "ExecResult{command=" + command + ", exitCode=" + exitCode + ", stdout=" + stdout.length
                + " bytes, stderr=" + stderr.length + " bytes, elapsed=" + elapsed.toMillis() + "ms}";
    }
}
