package dev.sandbox4j.internal;

import dev.sandbox4j.Exec;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The argument-list pieces that Podman's CLI and Apple's {@code container} CLI spell alike (both take docker's
 * flags): environment, labels, working directory and user, volumes, published ports, the image with its command
 * or the keep-alive, and the exec family. Pure: lists in, lists out, no I/O. What differs between the two is a
 * parameter here ({@link ReadWrite}, a label or port formatter that validates) or stays in the runtime's own
 * builder ({@code PodmanArgs}, {@code AppleContainerArgs}): CPU and memory spelling, DNS and capability checks,
 * version gates, and refusing a terminal the CLI cannot give.
 */
public final class ContainerCliArgs {
    /**
     * The main process of a sandbox that was given none: a shell that waits for execs and exits at once on
     * SIGTERM. Needs only a POSIX sh and sleep.
     */
    public static final List<String> KEEP_ALIVE = List.of("/bin/sh", "-c",
            "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done");

    /** Environment variable that marks every process of one exec, so a timed-out exec can be killed. */
    public static final String EXEC_MARKER = "SANDBOX4J_EXEC";

    private ContainerCliArgs() {
    }

    /** How a read-write volume is spelled: Podman's {@code SRC:DST:rw}, or {@code SRC:DST} where that is the default. */
    public enum ReadWrite {
        /** {@code :rw} after a read-write volume (Podman). */
        EXPLICIT(":rw"),
        /** Nothing after a read-write volume (Apple's {@code container}, which has no {@code rw} option). */
        IMPLICIT("");

        private final String suffix;

        ReadWrite(String suffix) {
            this.suffix = suffix;
        }
    }

    /** {@code flag NAME=VALUE} for each entry, in the map's order. */
    public static void pairs(List<String> a, String flag, Map<String, String> pairs) {
        pairs(a, flag, pairs, (k, v) -> k + "=" + v);
    }

    /** {@code flag format(NAME, VALUE)} for each entry, in the map's order; {@code format} may refuse a pair. */
    public static void pairs(List<String> a, String flag, Map<String, String> pairs, BinaryOperator<String> format) {
        pairs.forEach((k, v) -> a.addAll(List.of(flag, format.apply(k, v))));
    }

    /** {@code flag VALUE} for each value. */
    public static <T> void repeated(List<String> a, String flag, Collection<T> values, Function<T, String> format) {
        for (T v : values) {
            a.addAll(List.of(flag, format.apply(v)));
        }
    }

    /** {@code --workdir DIR} and {@code --user USER}, each when present. */
    public static void workdirAndUser(List<String> a, Optional<String> workdir, Optional<String> user) {
        workdir.ifPresent(w -> a.addAll(List.of("--workdir", w)));
        user.ifPresent(u -> a.addAll(List.of("--user", u)));
    }

    /** {@code --volume SRC:DST:ro} for each read-only mount, and the read-write ones as {@code rw} says. */
    public static void volumes(List<String> a, Collection<Mount> mounts, ReadWrite rw) {
        repeated(a, "--volume", mounts, m -> m.source() + ":" + m.target() + (m.readOnly() ? ":ro" : rw.suffix));
    }

    /** {@code --publish} for each port, spelled by {@code format} (which may check what the CLI takes). */
    public static void publish(List<String> a, Collection<PortMapping> ports, Function<PortMapping, String> format) {
        repeated(a, "--publish", ports, format);
    }

    /**
     * The image and the command after it; with no command, the {@link #KEEP_ALIVE} shell: {@code --entrypoint} takes
     * one string (not split), so the rest of the keep-alive follows the image as its arguments.
     */
    public static void imageAndCommand(List<String> a, String image, List<String> command) {
        if (command.isEmpty()) {
            a.addAll(List.of("--entrypoint", KEEP_ALIVE.get(0), image));
            a.addAll(KEEP_ALIVE.subList(1, KEEP_ALIVE.size()));
        } else {
            a.add(image);
            a.addAll(command);
        }
    }

    /**
     * One exec through the CLI: {@code --interactive} only when there is stdin to feed, {@code --tty} when asked
     * for, the {@link #EXEC_MARKER} with {@code marker} (so a timed-out exec can be killed), then the exec's
     * environment, working directory and user.
     */
    public static List<String> exec(String cli, String id, Exec exec, String marker) {
        List<String> a = new ArrayList<>(List.of(cli, "exec"));
        if (exec.stdin().isPresent()) {
            a.add("--interactive");
        }
        if (exec.tty()) {
            a.add("--tty");
        }
        a.addAll(List.of("--env", EXEC_MARKER + "=" + marker));
        return execTail(a, id, exec);
    }

    /** An exec whose streams the caller owns: always {@code --interactive}, {@code --tty} when asked for. */
    public static List<String> interactiveExec(String cli, String id, Exec exec) {
        List<String> a = new ArrayList<>(List.of(cli, "exec", "--interactive"));
        if (exec.tty()) {
            a.add("--tty");
        }
        return execTail(a, id, exec);
    }

    private static List<String> execTail(List<String> a, String id, Exec exec) {
        pairs(a, "--env", exec.env());
        workdirAndUser(a, exec.workdir(), exec.user());
        a.add(id);
        a.addAll(exec.command());
        return a;
    }

    /**
     * {@code logs --follow}, with the last {@code tail} lines first when {@code tail} is 0 or more (-1: all of them),
     * counted by {@code tailFlag}, which the CLIs spell differently.
     */
    public static List<String> followLogs(String cli, String id, int tail, String tailFlag) {
        List<String> a = new ArrayList<>(List.of(cli, "logs", "--follow"));
        if (tail >= 0) {
            a.addAll(List.of(tailFlag, Integer.toString(tail)));
        }
        a.add(id);
        return a;
    }

    /**
     * Kills every process in the container whose environment carries the exec marker; the marker is the script's
     * {@code $1}, never part of the script's text.
     */
    public static List<String> killMarked(String cli, String id, String marker) {
        return List.of(cli, "exec", id, "/bin/sh", "-c",
                "for p in /proc/[0-9]*; do "
                        + "if tr '\\000' '\\n' < \"$p/environ\" 2>/dev/null | grep -qx \"" + EXEC_MARKER + "=$1\"; "
                        + "then kill -9 \"${p#/proc/}\" 2>/dev/null; fi; done; true",
                "sh", marker);
    }
}
