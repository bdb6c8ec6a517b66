package dev.sandbox4j.egress.reliability;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RuntimeBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the host holds for a sandbox, read straight from podman, nft (on the host and in sandboxes' namespaces). */
final class HostState {
    static final Duration CLI = Duration.ofSeconds(30);

    private HostState() {
    }

    static RuntimeBackend podman() {
        return Runtimes.backend(Optional.of("podman"));
    }

    static String table(String sandbox) {
        return "sandbox4j_" + sandbox.replace('-', '_');
    }

    /**
     * Containers, networks and the firewall table of one sandbox, as "container X", "network X", "table X" (the
     * table in a running container's network namespace) and "host table X" (a table in the host's own ruleset,
     * as older versions made them).
     */
    static List<String> leftovers(String sandbox) {
        List<String> out = new ArrayList<>();
        List<dev.sandbox4j.spi.ContainerInfo> containers = podman().list(Map.of(Ownership.SANDBOX, sandbox), CLI);
        containers.forEach(c -> out.add("container " + c.name()));
        podman().listNetworks(Map.of(Ownership.SANDBOX, sandbox), CLI).forEach(n -> out.add("network " + n.name()));
        for (dev.sandbox4j.spi.ContainerInfo c : containers) {
            if (c.running() && tablesIn(c.id()).contains(table(sandbox))) {
                out.add("table " + table(sandbox));
            }
        }
        if (isRoot() && tables().contains(table(sandbox))) {
            out.add("host table " + table(sandbox));
        }
        return out;
    }

    /** The tables in a container's network namespace, entered the way the egress session enters it. */
    static List<String> tablesIn(String containerId) {
        String[] ns = run("podman", "container", "inspect", "--format",
                "{{.State.Pid}} {{.NetworkSettings.SandboxKey}}", containerId).strip().split(" ", 2);
        List<String> argv = new ArrayList<>(podman().enterNetworkNamespace(new dev.sandbox4j.spi.CreatedContainer(
                containerId, containerId, Long.parseLong(ns[0]), ns.length > 1 ? ns[1] : "")));
        argv.addAll(List.of(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/nft")) ? "/usr/sbin/nft"
                : "nft", "list", "tables"));
        return run(argv.toArray(String[]::new)).lines().map(l -> l.replaceFirst("^table \\S+ ", "")).toList();
    }

    /**
     * What a live policed sandbox holds: its container and its table, and rootful its own network (rootless
     * sandboxes use slirp4netns and have none).
     */
    static String[] policed(String sandbox) {
        return podman().rootless() ? new String[] {"container " + sandbox, "table " + table(sandbox)}
                : new String[] {"container " + sandbox, "network " + sandbox, "table " + table(sandbox)};
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Sandbox4j session tables with no network of their sandbox: always a leak, because a session creates its
     * network before its table and removes it after. (Other JVMs' live sandboxes always have both.)
     */
    static List<String> tablesWithoutNetwork() {
        List<String> out = new ArrayList<>();
        if (!isRoot()) {
            return out;  // an ordinary user can neither make nor list host tables
        }
        for (String t : tables()) {
            if (t.matches("sandbox4j_sb4j_[0-9a-f]{12}")) {
                String sandbox = "sb4j-" + t.substring("sandbox4j_sb4j_".length());
                if (podman().listNetworks(Map.of(Ownership.SANDBOX, sandbox), CLI).isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** Containers and networks this JVM owns, as "container X" and "network X". */
    static List<String> ownedByThisJvm() {
        Map<String, String> mine = Map.of(Ownership.OWNER, Ownership.ownerId());
        List<String> out = new ArrayList<>();
        podman().list(mine, CLI).forEach(c -> out.add("container " + c.name()));
        podman().listNetworks(mine, CLI).forEach(n -> out.add("network " + n.name()));
        return out;
    }

    static List<String> tables() {
        String out = run("nft", "list", "tables");
        return out.lines().map(l -> l.replaceFirst("^table \\S+ ", "")).toList();
    }

    /** The network namespace path podman made for a container. */
    static String netns(String containerId) {
        return run("podman", "inspect", "--format", "{{.NetworkSettings.SandboxKey}}", containerId).strip();
    }

    static ExecResult exec(String containerId, String script) {
        return podman().exec(containerId, Exec.builder("sh", "-c", script).timeout(Duration.ofSeconds(30)).build(),
                ExecListener.NONE);
    }

    static ExecResult get(String containerId, String ip) {
        return exec(containerId, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " 80");
    }

    static String run(String... argv) {
        return CommandRunner.system().run(Command.of(List.of(argv), CLI)).requireSuccess().stdout();
    }
}
