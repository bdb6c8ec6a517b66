package dev.sandbox4j.kubernetes.internal;

import dev.sandbox4j.Exec;
import dev.sandbox4j.SandboxConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pure argument lists for execs through the Kubernetes API, which takes only a command: environment and working
 * directory become a {@code sh}/{@code env} prefix, and files move through {@code cat}. No I/O.
 */
public final class ExecArgv {
    /** Exit code of the prefix when the working directory cannot be entered (as {@code env} does for its own failures). */
    public static final int NO_WORKDIR = 125;

    /** Environment variable that marks every process of one exec, so a timed-out exec can be killed. */
    public static final String EXEC_MARKER = "SANDBOX4J_EXEC";

    private ExecArgv() {
    }

    /** The command of one exec, with its environment and working directory applied in the sandbox. */
    public static List<String> command(Exec exec, Map<String, String> env, String defaultWorkdir) {
        if (exec.user().isPresent()) {
            throw new SandboxConfigException("the kubernetes runtime cannot run an exec as user \""
                    + exec.user().get() + "\": the Kubernetes exec API runs as the container's user; set user(...) on"
                    + " the sandbox instead");
        }
        return wrap(exec.command(), merged(exec.env(), env), exec.workdir().orElse(defaultWorkdir));
    }

    /** {@code argv} run with {@code env} set and in {@code workdir} (empty: the container's own). */
    public static List<String> wrap(List<String> argv, Map<String, String> env, String workdir) {
        List<String> a = new ArrayList<>();
        if (!workdir.isEmpty()) {
            a.addAll(List.of("/bin/sh", "-c", "cd \"$0\" || exit " + NO_WORKDIR + "; exec \"$@\"", workdir));
        }
        if (!env.isEmpty()) {
            a.add("env");
            env.forEach((k, v) -> a.add(k + "=" + v));
        }
        a.addAll(argv);
        return a;
    }

    /** Kills every process in the container whose environment carries the exec marker {@code marker}. */
    public static List<String> killMarked(String marker) {
        return List.of("/bin/sh", "-c", "for p in /proc/[0-9]*; do "
                + "if tr '\\000' '\\n' < \"$p/environ\" 2>/dev/null | grep -qx \"" + EXEC_MARKER + "=$1\"; "
                + "then kill -9 \"${p#/proc/}\" 2>/dev/null; fi; done; true", "sh", marker);
    }

    /** Writes its standard input to {@code target}, creating the parent directories. */
    public static List<String> writeFile(String target) {
        return List.of("/bin/sh", "-c", "mkdir -p \"$(dirname \"$0\")\" && cat > \"$0\"", target);
    }

    /** Prints {@code source}; fails (non-zero) when it is not a regular file. */
    public static List<String> readFile(String source) {
        return List.of("/bin/sh", "-c", "test -f \"$0\" || { echo \"$0: not a regular file\" >&2; exit 66; };"
                + " exec cat \"$0\"", source);
    }

    private static Map<String, String> merged(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> m = new java.util.LinkedHashMap<>(base);
        m.putAll(extra);
        return m;
    }
}
