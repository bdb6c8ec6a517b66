package dev.sandbox4j;

import java.time.Duration;
import java.util.List;

/**
 * What one {@link ShellTool} call gave back, in a form an agent framework can hand to a model: both output streams
 * (each kept to its first and last bytes when long, the middle cut out and counted), the exit code, and whether the
 * command was killed at its time limit. A time-out is a result, not an exception: {@link #timedOut()} is true and
 * {@link #exitCode()} is {@value #TIMED_OUT_EXIT_CODE}, as with coreutils' {@code timeout}.
 *
 * @param command     the argument list that ran (for a command line, {@code sh -c LINE})
 * @param exitCode    the command's exit code; {@value #TIMED_OUT_EXIT_CODE} when it timed out
 * @param stdout      standard output (UTF-8); when long, its head, a cut marker line, and its tail
 * @param stderr      standard error, kept the same way
 * @param stdoutCut   bytes cut from the middle of stdout; 0 when it is whole
 * @param stderrCut   bytes cut from the middle of stderr; 0 when it is whole
 * @param timedOut    whether the command was killed at its time limit
 * @param elapsed     how long it ran
 */
public record ShellResult(List<String> command, int exitCode, String stdout, String stderr, long stdoutCut,
                          long stderrCut, boolean timedOut, Duration elapsed) {
    /** The exit code reported for a command that was killed at its time limit. */
    public static final int TIMED_OUT_EXIT_CODE = 124;

    /**
     * Copies the command list into an unmodifiable one.
     *
     * @param command     the argument list that ran (for a command line, {@code sh -c LINE})
     * @param exitCode    the command's exit code; {@value #TIMED_OUT_EXIT_CODE} when it timed out
     * @param stdout      standard output (UTF-8); when long, its head, a cut marker line, and its tail
     * @param stderr      standard error, kept the same way
     * @param stdoutCut   bytes cut from the middle of stdout; 0 when it is whole
     * @param stderrCut   bytes cut from the middle of stderr; 0 when it is whole
     * @param timedOut    whether the command was killed at its time limit
     * @param elapsed     how long it ran
     */
    public ShellResult {
        command = List.copyOf(command);
    }

    /** {@return whether output was cut from the middle of stdout or stderr} */
    public boolean truncated() {
        return stdoutCut > 0 || stderrCut > 0;
    }

    /** {@return whether the command ran to the end and exited with 0} */
    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /**
     * The marker line that stands where {@code bytes} bytes were cut from the middle of a stream:
     * {@code [... 52817 bytes cut ...]}.
     *
     * @param bytes how many bytes were cut
     * @return the marker, without a line terminator
     */
    public static String cutMarker(long bytes) {
        return "[... " + bytes + " bytes cut ...]";
    }

    /**
     * The result as one text for a model: stdout, then stderr under a {@code [stderr]} line, then
     * {@code [timed out after N s: the command was killed]} when it timed out, and last {@code [exit code N]}
     * (always, 0 included). Cut streams carry their {@link #cutMarker(long) cut marker} where the middle was.
     *
     * @return the text, ending with a newline
     */
    public String render() {
        StringBuilder sb = new StringBuilder(stdout);
        if (!stderr.isEmpty()) {
            newline(sb).append("[stderr]\n").append(stderr);
        }
        if (timedOut) {
            newline(sb).append("[timed out after ").append(seconds(elapsed)).append(": the command was killed]\n");
        }
        newline(sb).append("[exit code ").append(exitCode).append("]\n");
        return sb.toString();
    }

    private static StringBuilder newline(StringBuilder sb) {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
            sb.append('\n');
        }
        return sb;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
