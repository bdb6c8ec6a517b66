package dev.sandbox4j.internal.apple;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.internal.ContainerCliArgs;
import dev.sandbox4j.spi.LaunchRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Pure argument-list builders for Apple's {@code container} CLI: request in, {@code List<String>} out, no I/O.
 * Every flag is spelled as the CLI spells it and is only emitted when the detected CLI version has it; a request
 * that needs a flag the version lacks is refused with {@link SandboxConfigException} naming the release needed.
 * The flags it shares with Podman come from {@link ContainerCliArgs}; what is the container CLI's own is here
 * (whole CPUs, memory in MiB, volumes without {@code :rw}, labels without '=' in values, IP-only DNS, version
 * gates, and no terminal together with stdin).
 */
public final class AppleContainerArgs {
    /**
     * The main process of a sandbox that was given none: a shell that waits for execs and exits at once on
     * SIGTERM. Needs only a POSIX sh and sleep.
     */
    public static final List<String> KEEP_ALIVE = ContainerCliArgs.KEEP_ALIVE;

    /** Environment variable that marks every process of one exec, so a timed-out exec can be killed. */
    public static final String EXEC_MARKER = ContainerCliArgs.EXEC_MARKER;

    /** The CLI's container-id rule ({@code Utility.swift}); 1.2.x also limits ids to 63 characters. */
    public static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{1,62}");
    /** The CLI's network-name rule. */
    public static final Pattern NETWORK_NAME = Pattern.compile("[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?");

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");

    private final String cli;
    private final AppleCliVersion version;

    public AppleContainerArgs(String cli, AppleCliVersion version) {
        this.cli = cli;
        this.version = version;
    }

    public AppleCliVersion version() {
        return version;
    }

    /** {@code container --version}: works on every release and without the system service. */
    public static List<String> cliVersion(String cli) {
        return List.of(cli, "--version");
    }

    public List<String> systemVersion() {
        AppleFeature.SYSTEM_VERSION.require(version, "reading the API server version");
        return List.of(cli, "system", "version", "--format", "json");
    }

    /** JSON from 0.10.0, the one-line text form before. Exit 1 means the service is down. */
    public List<String> systemStatus() {
        return AppleFeature.STATUS_JSON.supportedBy(version)
                ? List.of(cli, "system", "status", "--format", "json")
                : List.of(cli, "system", "status");
    }

    /** Non-interactive: without a kernel configured, a bare {@code system start} would prompt on stdin. */
    public List<String> systemStart() {
        return List.of(cli, "system", "start", "--enable-kernel-install");
    }

    /**
     * {@code container run --detach ...}; {@code ports} are the request's ports with every host port chosen
     * (the CLI has no "any free port").
     */
    public List<String> run(LaunchRequest request, List<PortMapping> ports, AppleRunOptions options) {
        SandboxSpec spec = request.spec();
        requireContainerId(request.name());
        List<String> a = new ArrayList<>(List.of(cli, "run", "--detach", "--name", request.name()));
        if (AppleFeature.PROGRESS.supportedBy(version)) {
            a.addAll(List.of("--progress", "none"));
        }
        ContainerCliArgs.pairs(a, "--label", request.labels(), AppleContainerArgs::label);
        request.network().ifPresent(n -> {
            if (n.equals("none")) {
                AppleFeature.NETWORK_NONE.require(version, "a sandbox without network");
            } else {
                AppleFeature.NETWORKS.require(version, "attaching sandbox " + request.name() + " to network " + n);
                requireNetworkName(n);
            }
            a.addAll(List.of("--network", n));
        });
        ContainerCliArgs.repeated(a, "--dns", request.dns(), AppleContainerArgs::dnsServer);
        if (!request.capDrop().isEmpty()) {
            AppleFeature.CAP_DROP.require(version, "dropping capabilities " + request.capDrop());
            ContainerCliArgs.repeated(a, "--cap-drop", request.capDrop(), c -> c);
        }
        int cpus = wholeCpus(spec.cpus());
        if (cpus > 0) {
            a.addAll(List.of("--cpus", Integer.toString(cpus)));
        }
        spec.memory().ifPresent(m -> a.addAll(List.of("--memory", m.mebibytes() + "M")));
        ContainerCliArgs.pairs(a, "--env", spec.env());
        ContainerCliArgs.workdirAndUser(a, spec.workdir(), spec.user());
        ContainerCliArgs.volumes(a, spec.mounts(), ContainerCliArgs.ReadWrite.IMPLICIT);
        ContainerCliArgs.volumes(a, request.extraMounts(), ContainerCliArgs.ReadWrite.IMPLICIT);
        ContainerCliArgs.publish(a, ports, this::publish);
        if (options.readOnlyRootfs()) {
            AppleFeature.READ_ONLY.require(version, "a read-only root filesystem");
            a.add("--read-only");
        }
        String initImage = request.initImage().orElse(options.initImage());
        if (!initImage.isEmpty()) {
            AppleFeature.INIT_IMAGE.require(version, "init image " + initImage);
            a.addAll(List.of("--init-image", initImage));
        }
        ContainerCliArgs.imageAndCommand(a, request.image(), spec.command());
        return a;
    }

    /** CPU counts are whole numbers for the CLI (Int64); a fraction is rounded up. 0 means the CLI's default. */
    public static int wholeCpus(double cpus) {
        return cpus <= 0 ? 0 : (int) Math.ceil(cpus - 1e-9);
    }

    private String publish(PortMapping p) {
        AppleFeature.PUBLISH.require(version, "publishing port " + p.containerPort());
        if (p.hostPort() == 0) {
            throw new IllegalArgumentException("host port of " + p + " must be chosen before building the argv");
        }
        if (p.hostPort() == 1 || p.containerPort() == 1) {
            throw new SandboxConfigException("port 1 cannot be published with container (ports must be above 1): "
                    + "choose another port than in " + p);
        }
        if (p.hostIp().contains(":")) {
            AppleFeature.IPV6_PUBLISH.require(version, "publishing on " + p.hostIp());
        }
        return p.toString();
    }

    static String label(String key, String value) {
        if (value.indexOf('=') >= 0) {
            throw new SandboxConfigException("label " + key + "=" + value + " has '=' in its value, which container "
                    + "cannot store (it splits labels at '='): choose a value without '='");
        }
        return key + "=" + value;
    }

    /** A nameserver for {@code --dns}: an IPv4 or IPv6 literal, never a host name and never with a port. */
    static String dnsServer(String server) {
        if (IPV4.matcher(server).matches() || isIpv6(server)) {
            return server;
        }
        throw new SandboxConfigException("DNS server \"" + server + "\" is not an IP address: container's --dns "
                + "takes an IPv4 or IPv6 address only (no host name, no port; port 53 is implied)");
    }

    /** An IPv6 literal check that never resolves anything (no zone ids: resolv.conf cannot use them portably). */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int groups = 0;
        List<String> parts = new ArrayList<>();
        if (!head.isEmpty()) {
            parts.addAll(List.of(head.split(":", -1)));
        }
        if (!tail.isEmpty()) {
            parts.addAll(List.of(tail.split(":", -1)));
        }
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (i == parts.size() - 1 && part.contains(".") && IPV4.matcher(part).matches()) {
                groups += 2;
            } else if (HEX_GROUP.matcher(part).matches()) {
                groups++;
            } else {
                return false;
            }
        }
        return gap >= 0 ? groups <= 7 : groups == 8;
    }

    static void requireContainerId(String id) {
        if (!CONTAINER_ID.matcher(id).matches()) {
            throw new SandboxConfigException("container name \"" + id + "\" is not valid for container: use 2 to 63 "
                    + "letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    static void requireNetworkName(String name) {
        if (!NETWORK_NAME.matcher(name).matches()) {
            throw new SandboxConfigException("network name \"" + name + "\" is not valid for container: use 1 to 63 "
                    + "lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit");
        }
    }

    public List<String> inspect(String id) {
        return List.of(cli, "inspect", id);
    }

    /** Every container, running or not; filtering by label happens on our side (the CLI has no --filter). */
    public List<String> list() {
        return List.of(cli, "list", "--all", "--format", "json");
    }

    /**
     * One exec through the CLI; {@code --interactive} only when there is stdin to feed, {@code --tty} when the exec
     * asks for a terminal. The two together are refused: with both, the CLI puts its own stdin in raw mode, which
     * fails on the pipe it gets from the JVM.
     */
    public List<String> exec(String id, Exec exec, String marker) {
        if (exec.stdin().isPresent()) {
            requireNoTty(exec, "that also reads stdin");
        }
        return ContainerCliArgs.exec(cli, id, exec, marker);
    }

    /** Kills every process in the container whose environment carries the exec marker. */
    public List<String> killMarked(String id, String marker) {
        return ContainerCliArgs.killMarked(cli, id, marker);
    }

    /** Refuses a terminal for an exec that gets stdin from the JVM: {@code container exec -i -t} needs a real one. */
    static void requireNoTty(Exec exec, String what) {
        if (exec.tty()) {
            throw new SandboxConfigException("container cannot give a terminal (tty) to a command " + what + ": with "
                    + "-i and -t together it puts its own stdin in raw mode, which needs a real terminal, not the "
                    + "pipe it gets here. Leave tty unset, or run without stdin");
        }
    }

    /**
     * A long-lived exec whose stdin the caller feeds, with the exec's env, workdir and user; never {@code --tty}
     * (with {@code --interactive} it needs a real terminal), so a terminal is refused.
     */
    public List<String> interactiveExec(String id, Exec exec) {
        requireNoTty(exec, "whose stdin is fed from the JVM");
        return ContainerCliArgs.interactiveExec(cli, id, exec);
    }

    /** A long-lived exec whose stdin the caller feeds; never {@code --tty} (it needs a real terminal). */
    public List<String> interactiveExec(String id, List<String> argv, Map<String, String> env) {
        List<String> a = new ArrayList<>(List.of(cli, "exec", "--interactive"));
        ContainerCliArgs.pairs(a, "--env", env);
        a.add(id);
        a.addAll(argv);
        return a;
    }

    /**
     * {@code container copy} (1.0.0+, {@code Sources/ContainerCommands/Container/ContainerCopy.swift}). It writes a
     * single file with mode 0644 both ways (containerization 0.40.1 {@code LinuxContainer.copyIn(mode: 0o644)},
     * host side {@code open(..., 0o644)} in {@code copyOut}) and refuses any path with a ':' in it
     * ({@code parsePathRef} splits on every ':'), and creates missing parent directories; so the backend copies
     * through {@link #tarInto} and {@link #tarOutOf}, and uses it only for images that lack the tools for those.
     */
    public List<String> copyTo(String id, Path source, String target) {
        AppleFeature.COPY.require(version, "copying into a sandbox with `container copy`");
        return List.of(cli, "copy", source.toString(), id + ":" + target);
    }

    public List<String> copyFrom(String id, String source, Path target) {
        AppleFeature.COPY.require(version, "copying out of a sandbox with `container copy`");
        return List.of(cli, "copy", id + ":" + source, target.toString());
    }

    /**
     * Unpacks a tar stream read from stdin whose one top entry is {@code entryName} so that it ends where
     * {@code podman cp} puts it: inside {@code target} when that is an existing directory, else at {@code target}
     * (through a temporary directory beside it, then {@code mv}); a missing parent directory is an error, not
     * created. Runs as root, like {@code container copy} (vminitd writes as root), and keeps the permission bits
     * of the stream ({@code -p}). Exits {@value #TOOLS_MISSING} when the image lacks {@code tar}, {@code mktemp},
     * {@code dirname} or {@code mv}.
     */
    public List<String> tarInto(String id, String target, String entryName) {
        return List.of(cli, "exec", "--interactive", "--user", "0", id, "/bin/sh", "-c", TAR_INTO, "sh", target,
                entryName);
    }

    /** Exit status of {@link #tarInto} when the image lacks a tool it needs. */
    public static final int TOOLS_MISSING = 126;

    /** The in-container half of {@link #tarInto}; run for real against podman by AppleCopyThroughTarOnPodmanTest. */
    static final String TAR_INTO = "t=$1; n=$2; "
            + "for x in tar mktemp dirname mv rm; do command -v $x >/dev/null 2>&1 || exit " + TOOLS_MISSING
            + "; done; "
            + "if [ -d \"$t\" ]; then exec tar -x -p -f - -C \"$t\"; fi; "
            + "d=$(dirname \"$t\"); "
            + "[ -d \"$d\" ] || { echo \"sandbox4j copy: $d: no such directory in the container\" >&2; exit 1; }; "
            + "tmp=$(mktemp -d \"$d/.sandbox4j-copy.XXXXXX\") || exit 1; "
            + "if tar -x -p -f - -C \"$tmp\"; then mv -f \"$tmp/$n\" \"$t\"; s=$?; else s=$?; fi; "
            + "rm -rf \"$tmp\"; exit $s";

    /** Writes {@code name} (inside {@code directory}) as a tar stream to stdout, read as root. */
    public List<String> tarOutOf(String id, String directory, String name) {
        return List.of(cli, "exec", "--user", "0", id, "tar", "-c", "-f", "-", "-C", directory, name);
    }

    /** The init process's stdout and stderr, merged, no timestamps. */
    public List<String> logs(String id) {
        return List.of(cli, "logs", id);
    }

    /** The init process's output, merged, as it is written, until the container stops; {@code tail} -1 for all. */
    public List<String> followLogs(String id, int tail) {
        return ContainerCliArgs.followLogs(cli, id, tail, "-n");
    }

    public List<String> stop(String id, int graceSeconds) {
        return List.of(cli, "stop", "--time", Integer.toString(Math.max(0, graceSeconds)), id);
    }

    public List<String> kill(String id, String signal) {
        return List.of(cli, "kill", "--signal", signal, id);
    }

    /** Removes a container, stopping it first if it runs. */
    public List<String> delete(String id) {
        return List.of(cli, "delete", "--force", id);
    }

    /** Builds with BuildKit in the builder VM; plain progress so every line is worth logging. */
    public List<String> build(ImageSource.Build build, String tag, Map<String, String> labels) {
        List<String> a = new ArrayList<>(List.of(cli, "build"));
        if (AppleFeature.PROGRESS.supportedBy(version)) {
            a.addAll(List.of("--progress", "plain"));
        }
        a.addAll(List.of("--file", build.dockerfile().toString(), "--tag", tag));
        ContainerCliArgs.pairs(a, "--label", labels, AppleContainerArgs::label);
        ContainerCliArgs.pairs(a, "--build-arg", build.buildArgs());
        a.add(build.context().toString());
        return a;
    }

    private String imageGroup() {
        return AppleFeature.IMAGE_COMMAND_GROUP.supportedBy(version) ? "image" : "images";
    }

    public List<String> imageList() {
        return List.of(cli, imageGroup(), "list", "--format", "json");
    }

    public List<String> imagePull(String reference) {
        List<String> a = new ArrayList<>(List.of(cli, imageGroup(), "pull"));
        if (AppleFeature.PROGRESS.supportedBy(version)) {
            a.addAll(List.of("--progress", "none"));
        }
        a.add(reference);
        return a;
    }

    public List<String> networkCreate(String name, Map<String, String> labels) {
        AppleFeature.NETWORKS.require(version, "creating network " + name);
        requireNetworkName(name);
        List<String> a = new ArrayList<>(List.of(cli, "network", "create"));
        if (!labels.isEmpty()) {
            AppleFeature.NETWORK_LABELS.require(version, "creating network " + name + " with labels (how Sandbox4j "
                    + "finds its networks again)");
        }
        ContainerCliArgs.pairs(a, "--label", labels, AppleContainerArgs::label);
        a.add(name);
        return a;
    }

    public List<String> networkInspect(String name) {
        AppleFeature.NETWORKS.require(version, "inspecting network " + name);
        return List.of(cli, "network", "inspect", name);
    }

    public List<String> networkDelete(String name) {
        AppleFeature.NETWORKS.require(version, "deleting network " + name);
        return List.of(cli, "network", "delete", name);
    }

    public List<String> networkList() {
        AppleFeature.NETWORKS.require(version, "listing networks");
        return List.of(cli, "network", "list", "--format", "json");
    }
}
