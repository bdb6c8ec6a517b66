package dev.sandbox4j.examples.agent;

import java.time.Duration;
import java.util.List;

/**
 * What one {@link ShellTool} call gave back, in a form an agent framework can hand to a model: the output (each
 * stream cut to the tool's cap), the exit code, and markers for truncation and time-outs. A time-out is a result,
 * not an exception: {@link #timedOut()} is true and {@link #exitCode()} is {@value #TIMED_OUT_EXIT_CODE}, as with
 * coreutils' {@code timeout}.
 *
 * @param command      the argument list that ran (for a command line, {@code sh -c LINE})
 * @param exitCode     the command's exit code; {@value #TIMED_OUT_EXIT_CODE} when it timed out
 * @param stdout       standard output, at most the tool's cap in bytes (UTF-8)
 * @param stderr       standard error, at most the tool's cap in bytes (UTF-8)
 * @param droppedBytes output bytes beyond the caps, both streams together; 0 when nothing was cut
 * @param cap          the per-stream cap that applied
 * @param timedOut     whether the command was killed at its time limit
 * @param elapsed      how long it ran
 */
public record ShellResult(List<String> command, int exitCode, String stdout, String stderr, long droppedBytes,
                          int cap, boolean timedOut, Duration elapsed) {
    /** The exit code reported for a command that was killed at its time limit. */
    public static final int TIMED_OUT_EXIT_CODE = 124;

    public ShellResult {
        command = List.copyOf(command);
    }

    /** Whether output was cut to the cap. */
    public boolean truncated() {
        return droppedBytes > 0;
    }

    /** Whether the command ran to the end and exited with 0. */
    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /**
     * The result as one text for a model: stdout, then stderr under a {@code [stderr]} line, then bracketed
     * markers — {@code [exit code N]} when not 0, {@code [output truncated: ...]} with the bytes dropped, and
     * {@code [timed out after ...: the command was killed]}.
     */
    public String render() {
        StringBuilder sb = new StringBuilder(stdout);
        if (!stderr.isEmpty()) {
            newline(sb).append("[stderr]\n").append(stderr);
        }
        if (timedOut) {
            newline(sb).append("[timed out after ").append(seconds(elapsed)).append(": the command was killed]\n");
        } else if (exitCode != 0) {
            newline(sb).append("[exit code ").append(exitCode).append("]\n");
        }
        if (truncated()) {
            newline(sb).append("[output truncated: each stream keeps its first ").append(cap).append(" bytes; ")
                    .append(droppedBytes).append(" bytes dropped]\n");
        }
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
