package dev.sandbox4j.internal.podman;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.LaunchRequest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Pure argument-list builders for the podman CLI: spec in, {@code List<String>} out. No I/O. */
public final class PodmanArgs {
    /**
     * The main process of a sandbox that was given none: a shell that waits for execs and exits at once on
     * SIGTERM. Needs only a POSIX sh and sleep.
     */
    public static final List<String> KEEP_ALIVE = List.of("/bin/sh", "-c",
            "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done");

    /** Environment variable that marks every process of one exec, so a timed-out exec can be killed. */
    public static final String EXEC_MARKER = "SANDBOX4J_EXEC";

    private final String podman;

    public PodmanArgs(String podman) {
        this.podman = podman;
    }

    public List<String> version() {
        return List.of(podman, "version", "--format", "json");
    }

    /** Creates and starts a container in one call ({@code podman run -d}). */
    public List<String> run(LaunchRequest request) {
        return container(List.of(podman, "run", "-d"), request);
    }

    /**
     * Creates a container without starting it ({@code podman create}), for a start that must act on the
     * container's namespaces before its workload runs: then {@link #init}, {@link #namespaces}, {@link #start}.
     */
    public List<String> create(LaunchRequest request) {
        return container(List.of(podman, "create"), request);
    }

    /** Sets up a created container's namespaces (network included) without running its workload. */
    public List<String> init(String id) {
        return List.of(podman, "init", id);
    }

    /** Prints a container's first pid and the file that pins its network namespace, space-separated. */
    public List<String> namespaces(String id) {
        return List.of(podman, "container", "inspect", "--format", "{{.State.Pid}} {{.NetworkSettings.SandboxKey}}",
                id);
    }

    /** Starts a created (or initialized) container. */
    public List<String> start(String id) {
        return List.of(podman, "start", id);
    }

    /** Prints {@code true} when podman runs rootless, {@code false} when rootful. */
    /**
     * The prefix that runs a host program in a container's network namespace: {@code nsenter --net=FILE} as root;
     * rootless, inside podman's user namespace (which owns the network namespace) with {@code podman unshare}.
     */
    public List<String> enterNetworkNamespace(String namespaceFile, boolean rootless) {
        List<String> a = new ArrayList<>();
        if (rootless) {
            a.addAll(List.of(podman, "unshare"));
        }
        a.addAll(List.of("nsenter", "--net=" + namespaceFile));
        return a;
    }

    private List<String> container(List<String> verb, LaunchRequest request) {
        SandboxSpec spec = request.spec();
        List<String> a = new ArrayList<>(verb);
        a.addAll(List.of("--pull=" + pull(spec.pullPolicy()), "--name", request.name()));
        request.labels().forEach((k, v) -> a.addAll(List.of("--label", k + "=" + v)));
        request.network().ifPresent(n -> a.addAll(List.of("--network", n)));
        request.dns().forEach(d -> a.addAll(List.of("--dns", d)));
        request.capDrop().forEach(c -> a.addAll(List.of("--cap-drop", c)));
        if (spec.cpus() > 0) {
            a.addAll(List.of("--cpus", BigDecimal.valueOf(spec.cpus()).stripTrailingZeros().toPlainString()));
        }
        spec.memory().ifPresent(m -> {
            a.addAll(List.of("--memory", m.bytes() + "b"));
            a.addAll(List.of("--memory-swap", m.bytes() + "b"));
        });
        spec.env().forEach((k, v) -> a.addAll(List.of("--env", k + "=" + v)));
        spec.workdir().ifPresent(w -> a.addAll(List.of("--workdir", w)));
        spec.user().ifPresent(u -> a.addAll(List.of("--user", u)));
        for (Mount m : spec.mounts()) {
            a.addAll(List.of("--volume", m.source() + ":" + m.target() + (m.readOnly() ? ":ro" : ":rw")));
        }
        for (PortMapping p : spec.ports()) {
            a.addAll(List.of("--publish", p.toString()));
        }
        List<String> command = spec.command();
        if (command.isEmpty()) {
            a.addAll(List.of("--entrypoint", KEEP_ALIVE.get(0), request.image()));
            a.addAll(KEEP_ALIVE.subList(1, KEEP_ALIVE.size()));
        } else {
            a.add(request.image());
            a.addAll(command);
        }
        return a;
    }

    private static String pull(PullPolicy policy) {
        return switch (policy) {
            case NEVER -> "never";
            case MISSING -> "missing";
            case ALWAYS -> "always";
        };
    }

    public List<String> inspect(String id) {
        return List.of(podman, "container", "inspect", id);
    }

    /** One exec through the CLI; {@code marker} tags its processes for a kill on timeout. */
    public List<String> exec(String id, Exec exec, String marker) {
        List<String> a = new ArrayList<>(List.of(podman, "exec"));
        if (exec.stdin().isPresent()) {
            a.add("--interactive");
        }
        if (exec.tty()) {
            a.add("--tty");
        }
        a.addAll(List.of("--env", EXEC_MARKER + "=" + marker));
        exec.env().forEach((k, v) -> a.addAll(List.of("--env", k + "=" + v)));
        exec.workdir().ifPresent(w -> a.addAll(List.of("--workdir", w)));
        exec.user().ifPresent(u -> a.addAll(List.of("--user", u)));
        a.add(id);
        a.addAll(exec.command());
        return a;
    }

    /** Kills every process in the container whose environment carries the exec marker. */
    public List<String> killMarked(String id, String marker) {
        return List.of(podman, "exec", id, "/bin/sh", "-c",
                "for p in /proc/[0-9]*; do "
                        + "if tr '\\000' '\\n' < \"$p/environ\" 2>/dev/null | grep -qx \"" + EXEC_MARKER + "=$1\"; "
                        + "then kill -9 \"${p#/proc/}\" 2>/dev/null; fi; done; true",
                "sh", marker);
    }

    public List<String> interactiveExec(String id, List<String> argv, Map<String, String> env) {
        return interactiveExec(id, "", argv, env);
    }

    /** An exec whose streams the caller owns; {@code user} empty means the container's user. */
    public List<String> interactiveExec(String id, String user, List<String> argv, Map<String, String> env) {
        List<String> a = new ArrayList<>(List.of(podman, "exec", "--interactive"));
        env.forEach((k, v) -> a.addAll(List.of("--env", k + "=" + v)));
        if (!user.isEmpty()) {
            a.addAll(List.of("--user", user));
        }
        a.add(id);
        a.addAll(argv);
        return a;
    }

    /** An exec whose streams the caller owns, with the exec's env, workdir, user and terminal. */
    public List<String> interactiveExec(String id, Exec exec) {
        List<String> a = new ArrayList<>(List.of(podman, "exec", "--interactive"));
        if (exec.tty()) {
            a.add("--tty");
        }
        exec.env().forEach((k, v) -> a.addAll(List.of("--env", k + "=" + v)));
        exec.workdir().ifPresent(w -> a.addAll(List.of("--workdir", w)));
        exec.user().ifPresent(u -> a.addAll(List.of("--user", u)));
        a.add(id);
        a.addAll(exec.command());
        return a;
    }

    public List<String> copyTo(String id, Path source, String target) {
        return List.of(podman, "cp", source.toString(), id + ":" + target);
    }

    public List<String> copyFrom(String id, String source, Path target) {
        return List.of(podman, "cp", id + ":" + source, target.toString());
    }

    public List<String> logs(String id) {
        return List.of(podman, "logs", id);
    }

    /** The main process's output as it is written, until the container stops; {@code tail} -1 for all of it. */
    public List<String> followLogs(String id, int tail) {
        List<String> a = new ArrayList<>(List.of(podman, "logs", "--follow"));
        if (tail >= 0) {
            a.addAll(List.of("--tail", Integer.toString(tail)));
        }
        a.add(id);
        return a;
    }

    public List<String> remove(String id) {
        return List.of(podman, "rm", "--force", "--ignore", "--time", "0", id);
    }

    public List<String> list(Map<String, String> labels) {
        List<String> a = new ArrayList<>(List.of(podman, "ps", "--all", "--format", "json"));
        labels.forEach((k, v) -> a.addAll(List.of("--filter", "label=" + k + "=" + v)));
        return a;
    }

    /** Whether an image is in local storage: exit 0 when it is, 1 when not. */
    public List<String> imageExists(String reference) {
        return List.of(podman, "image", "exists", reference);
    }

    /** Pulls an image; podman writes its progress to stderr, line by line when that is not a terminal. */
    public List<String> pull(String reference) {
        return List.of(podman, "pull", reference);
    }

    /** Builds an image; base images are pulled only as {@code pull} allows (podman's own default would pull). */
    public List<String> build(ImageSource.Build build, String tag, Map<String, String> labels, PullPolicy pull) {
        List<String> a = new ArrayList<>(List.of(podman, "build", "--pull=" + pull(pull), "--file",
                build.dockerfile().toString(), "--tag", tag));
        labels.forEach((k, v) -> a.addAll(List.of("--label", k + "=" + v)));
        build.buildArgs().forEach((k, v) -> a.addAll(List.of("--build-arg", k + "=" + v)));
        a.add(build.context().toString());
        return a;
    }

    public List<String> networkCreate(String name, Map<String, String> labels) {
        List<String> a = new ArrayList<>(List.of(podman, "network", "create", "--disable-dns"));
        labels.forEach((k, v) -> a.addAll(List.of("--label", k + "=" + v)));
        a.add(name);
        return a;
    }

    public List<String> networkInspect(String name) {
        return List.of(podman, "network", "inspect", name);
    }

    public List<String> networkRemove(String name) {
        return List.of(podman, "network", "rm", "--force", name);
    }

    public List<String> networkList(Map<String, String> labels) {
        List<String> a = new ArrayList<>(List.of(podman, "network", "ls", "--format", "json"));
        labels.forEach((k, v) -> a.addAll(List.of("--filter", "label=" + k + "=" + v)));
        return a;
    }
}
