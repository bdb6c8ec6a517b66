package dev.sandbox4j.egress.linux;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.internal.DefaultSandbox;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.CreatedContainer;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A sandbox's network namespace seen from outside, the way the egress session enters it (rootful {@code nsenter},
 * rootless inside {@code podman unshare}): to read or tamper with its rules, count its connection tracking, find
 * its updater process. Test helper; works as root and as an ordinary user with rootless podman.
 */
final class SandboxNetns {
    static final String NFT = Files.isExecutable(Path.of("/usr/sbin/nft")) ? "/usr/sbin/nft" : "nft";
    private static final Duration STEP = Duration.ofSeconds(60);

    private SandboxNetns() {
    }

    static RuntimeBackend podman() {
        return Runtimes.backend(Optional.of("podman"));
    }

    static String name(Sandbox s) {
        return ((DefaultSandbox) s).name();
    }

    /** The table of a sandbox, by the naming the egress session uses. */
    static String table(Sandbox s) {
        return "sandbox4j_" + name(s).replace('-', '_');
    }

    static CreatedContainer container(String id) {
        String out = run(List.of("podman", "container", "inspect", "--format",
                "{{.State.Pid}} {{.NetworkSettings.SandboxKey}}", id), null).requireSuccess().stdout().strip();
        String[] parts = out.split(" ", 2);
        return new CreatedContainer(id, id, Long.parseLong(parts[0]), parts.length > 1 ? parts[1] : "");
    }

    /** Runs a host program in the container's network namespace. */
    static CommandResult inNetns(String id, List<String> argv, byte[] stdin) {
        List<String> a = new ArrayList<>(podman().enterNetworkNamespace(container(id)));
        a.addAll(argv);
        return run(a, stdin);
    }

    /** {@code nft ARGS} in the sandbox's namespace; stdout. */
    static String nft(String id, String... args) {
        List<String> a = new ArrayList<>(List.of(NFT));
        a.addAll(List.of(args));
        return inNetns(id, a, null).requireSuccess().stdout();
    }

    /** {@code nft -f -} with a script in the sandbox's namespace. */
    static void nftScript(String id, String script) {
        inNetns(id, List.of(NFT, "-f", "-"), script.getBytes(StandardCharsets.UTF_8)).requireSuccess();
    }

    /** Connection-tracking entries in the sandbox's namespace. */
    static long conntrackEntries(String id) {
        return Long.parseLong(inNetns(id, List.of("cat", "/proc/sys/net/netfilter/nf_conntrack_count"), null)
                .requireSuccess().stdout().strip());
    }

    /** Pids of {@code nft --interactive} processes whose network namespace is the container's. */
    static List<Long> updaters(String id) throws IOException {
        String netns = Files.readSymbolicLink(Path.of("/proc", String.valueOf(container(id).pid()), "ns", "net"))
                .toString();
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains("nft --echo --interactive") && !cmdline.contains("nsenter")
                            && !cmdline.contains("unshare")
                            && Files.readSymbolicLink(p.resolve("ns").resolve("net")).toString().equals(netns)) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        }
        return out;
    }

    static CommandResult run(List<String> argv, byte[] stdin) {
        Command.Builder b = Command.builder(argv).timeout(STEP);
        if (stdin != null) {
            b.stdin(stdin);
        }
        return CommandRunner.system().run(b.build());
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
