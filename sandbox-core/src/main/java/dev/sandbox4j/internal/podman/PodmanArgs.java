package dev.sandbox4j.internal.podman;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.internal.ContainerCliArgs;
import dev.sandbox4j.spi.LaunchRequest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pure argument-list builders for the podman CLI: spec in, {@code List<String>} out. No I/O. The flags it shares
 * with Apple's {@code container} come from {@link ContainerCliArgs}; what is Podman's own is here (pull policy,
 * fractional CPUs, memory with swap, {@code :rw} volumes, {@code logs --tail}).
 */
public final class PodmanArgs {
    /**
     * The main process of a sandbox that was given none: a shell that waits for execs and exits at once on
     * SIGTERM. Needs only a POSIX sh and sleep.
     */
    public static final List<String> KEEP_ALIVE = ContainerCliArgs.KEEP_ALIVE;

    /** Environment variable that marks every process of one exec, so a timed-out exec can be killed. */
    public static final String EXEC_MARKER = ContainerCliArgs.EXEC_MARKER;

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
        ContainerCliArgs.pairs(a, "--label", request.labels());
        request.network().ifPresent(n -> a.addAll(List.of("--network", n)));
        ContainerCliArgs.repeated(a, "--dns", request.dns(), d -> d);
        ContainerCliArgs.repeated(a, "--cap-drop", request.capDrop(), c -> c);
        if (spec.cpus() > 0) {
            a.addAll(List.of("--cpus", BigDecimal.valueOf(spec.cpus()).stripTrailingZeros().toPlainString()));
        }
        spec.memory().ifPresent(m -> {
            a.addAll(List.of("--memory", m.bytes() + "b"));
            a.addAll(List.of("--memory-swap", m.bytes() + "b"));
        });
        ContainerCliArgs.pairs(a, "--env", spec.env());
        ContainerCliArgs.workdirAndUser(a, spec.workdir(), spec.user());
        ContainerCliArgs.volumes(a, spec.mounts(), ContainerCliArgs.ReadWrite.EXPLICIT);
        ContainerCliArgs.publish(a, spec.ports(), PortMapping::toString);
        ContainerCliArgs.imageAndCommand(a, request.image(), spec.command());
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
        return ContainerCliArgs.exec(podman, id, exec, marker);
    }

    /** Kills every process in the container whose environment carries the exec marker. */
    public List<String> killMarked(String id, String marker) {
        return ContainerCliArgs.killMarked(podman, id, marker);
    }

    public List<String> interactiveExec(String id, List<String> argv, Map<String, String> env) {
        return interactiveExec(id, "", argv, env);
    }

    /** An exec whose streams the caller owns; {@code user} empty means the container's user. */
    public List<String> interactiveExec(String id, String user, List<String> argv, Map<String, String> env) {
        List<String> a = new ArrayList<>(List.of(podman, "exec", "--interactive"));
        ContainerCliArgs.pairs(a, "--env", env);
        ContainerCliArgs.workdirAndUser(a, Optional.empty(), user.isEmpty() ? Optional.empty() : Optional.of(user));
        a.add(id);
        a.addAll(argv);
        return a;
    }

    /** An exec whose streams the caller owns, with the exec's env, workdir, user and terminal. */
    public List<String> interactiveExec(String id, Exec exec) {
        return ContainerCliArgs.interactiveExec(podman, id, exec);
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
        return ContainerCliArgs.followLogs(podman, id, tail, "--tail");
    }

    public List<String> remove(String id) {
        return List.of(podman, "rm", "--force", "--ignore", "--time", "0", id);
    }

    public List<String> list(Map<String, String> labels) {
        List<String> a = new ArrayList<>(List.of(podman, "ps", "--all", "--format", "json"));
        ContainerCliArgs.pairs(a, "--filter", labels, (k, v) -> "label=" + k + "=" + v);
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
        ContainerCliArgs.pairs(a, "--label", labels);
        ContainerCliArgs.pairs(a, "--build-arg", build.buildArgs());
        a.add(build.context().toString());
        return a;
    }

    public List<String> networkCreate(String name, Map<String, String> labels) {
        List<String> a = new ArrayList<>(List.of(podman, "network", "create", "--disable-dns"));
        ContainerCliArgs.pairs(a, "--label", labels);
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
        ContainerCliArgs.pairs(a, "--filter", labels, (k, v) -> "label=" + k + "=" + v);
        return a;
    }
}
