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

/** What the host holds for a sandbox, read straight from podman, nft and /run/netns. */
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

    /** Containers, networks and the firewall table of one sandbox, as "container X", "network X", "table X". */
    static List<String> leftovers(String sandbox) {
        List<String> out = new ArrayList<>();
        podman().list(Map.of(Ownership.SANDBOX, sandbox), CLI).forEach(c -> out.add("container " + c.name()));
        podman().listNetworks(Map.of(Ownership.SANDBOX, sandbox), CLI).forEach(n -> out.add("network " + n.name()));
        if (tables().contains(table(sandbox))) {
            out.add("table " + table(sandbox));
        }
        return out;
    }

    /**
     * Sandbox4j session tables with no network of their sandbox: always a leak, because a session creates its
     * network before its table and removes it after. (Other JVMs' live sandboxes always have both.)
     */
    static List<String> tablesWithoutNetwork() {
        List<String> out = new ArrayList<>();
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
