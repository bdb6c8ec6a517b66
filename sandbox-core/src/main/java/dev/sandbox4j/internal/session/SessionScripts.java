package dev.sandbox4j.internal.session;

import dev.sandbox4j.Exec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Pure builders of the POSIX {@code sh} text that session channels and background processes run. Every value
 * from the caller reaches the shell single-quoted, so it is data, never code. No I/O.
 */
final class SessionScripts {
    /** Variable that marks every process of one session exec, so a timed-out exec can be found and killed. */
    static final String EXEC_MARKER = "SANDBOX4J_EXEC";

    /** Prints the process's pid as a {@code P <pid>} line, then becomes the command. */
    private static final String LAUNCH_IN_SAME_GROUP = "printf 'P %s\\n' \"$$\"; exec \"$@\"";

    private SessionScripts() {
    }

    /** Single-quotes {@code s} for sh: {@code it's} becomes {@code 'it'\''s'}. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The probe a new channel runs first: reports {@code b} if base64 exists. */
    static String probe(String token) {
        return startMarkers(token)
                + "command -v base64 >/dev/null 2>&1 && printf b\n"
                + "printf '\\n%s E 0\\n' " + token + "; printf '\\n%s E\\n' " + token + " >&2\n";
    }

    /**
     * One command for a session channel: start markers on both streams, the command in a subshell (its own
     * workdir, environment and process group, stdin from {@code /dev/null} or decoded from a here-document), then
     * end markers, the one on stdout carrying the exit status.
     */
    static String command(Exec exec, String token, String marker) {
        StringBuilder s = new StringBuilder(256).append(startMarkers(token));
        byte[] stdin = exec.stdin().orElse(null);
        boolean feed = stdin != null && stdin.length > 0;
        // While it waits, the shell's own stderr goes to /dev/null, so its "Killed" notice for a command that died
        // of a signal stays out of the command's stderr; the command gets the real one, saved on fd 3. (`exec`
        // redirections, not a redirected { } group: busybox ash 1.35 drops the inner redirections of one.)
        s.append("exec 3>&2 2>/dev/null; ");
        if (feed) {
            s.append("base64 -d <<'").append(token).append("_I' 2>&3 3>&- | ");
        }
        s.append("( ");
        exec.workdir().ifPresent(w -> s.append("cd -- ").append(quote(w)).append(" || exit 127; "));
        s.append("export ").append(EXEC_MARKER).append('=').append(quote(marker));
        exec.env().forEach((k, v) -> s.append(' ').append(k).append('=').append(quote(v)));
        // The subshell learns its own pid from /proc/self ($$ would be the session shell's), reports it, and
        // becomes the command: no extra process, one fork per exec.
        s.append("; read -r s4j_pid s4j_rest </proc/self/stat; printf 'P %s\\n' \"$s4j_pid\"; exec");
        for (String arg : exec.command()) {
            s.append(' ').append(quote(arg));
        }
        s.append(" )").append(feed ? "" : " </dev/null").append(" 2>&3 3>&-\n");
        if (feed) {
            s.append(Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(stdin)).append('\n')
                    .append(token).append("_I\n");
        }
        s.append("s4j_status=$?; exec 2>&3 3>&-; printf '\\n%s E %s\\n' ").append(token)
                .append(" \"$s4j_status\"; printf '\\n%s E\\n' ").append(token).append(" >&2\n");
        return s.toString();
    }

    private static String startMarkers(String token) {
        return "printf '%s S\\n' " + token + "; printf '%s S\\n' " + token + " >&2\n";
    }

    /**
     * The argument list of a background process's own channel: {@code sh -c} that changes directory, prints
     * {@code P <pid>} as the first stdout line and becomes the command. The channel's main process already leads
     * its own process group, so the command does too.
     */
    static List<String> background(Exec exec) {
        String script = exec.workdir().map(w -> "cd -- " + quote(w) + " || exit 127; ").orElse("")
                + LAUNCH_IN_SAME_GROUP;
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
        argv.addAll(exec.command());
        return argv;
    }

    /**
     * Kills what a timed-out exec left: the process tree under {@code pid} (each process frozen with SIGSTOP before
     * its children are looked up, so none forks away, then killed), and every process whose environment carries
     * its marker (children re-parented after their parent exited, or in a session of their own).
     */
    static List<String> killScript(long pid, String marker) {
        String script = "tree() { for s4j_s in /proc/[0-9]*/stat; do "
                + "s4j_l=$(cat \"$s4j_s\" 2>/dev/null) || continue; s4j_r=${s4j_l##*) }; s4j_pp=${s4j_r#* }; "
                + "s4j_pp=${s4j_pp%% *}; [ \"$s4j_pp\" = \"$1\" ] || continue; s4j_c=${s4j_s#/proc/}; "
                + "s4j_c=${s4j_c%/stat}; kill -s STOP \"$s4j_c\" 2>/dev/null; tree \"$s4j_c\"; "
                + "kill -s KILL \"$s4j_c\" 2>/dev/null; done; }; "
                + "if [ \"$1\" -gt 0 ]; then kill -s STOP \"$1\" 2>/dev/null; tree \"$1\"; "
                + "kill -s KILL \"$1\" 2>/dev/null; fi; "
                + "for p in /proc/[0-9]*; do "
                + "if tr '\\000' '\\n' < \"$p/environ\" 2>/dev/null | grep -qx \"" + EXEC_MARKER + "=$2\"; "
                + "then kill -s KILL \"${p#/proc/}\" 2>/dev/null; fi; done; true";
        return List.of("/bin/sh", "-c", script, "sh", Long.toString(pid), marker);
    }

    /** Sends {@code signal} to process group {@code pid}, or to the process alone if it leads no group. */
    static List<String> signalScript(String signal, long pid) {
        return List.of("/bin/sh", "-c", "kill -s \"$1\" -\"$2\" 2>/dev/null || kill -s \"$1\" \"$2\"", "sh", signal,
                Long.toString(pid));
    }
}
