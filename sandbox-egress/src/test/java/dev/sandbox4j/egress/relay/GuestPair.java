package dev.sandbox4j.egress.relay;

import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The conditions an Apple {@code container} VM gives the guest piece, rebuilt with rootful Podman:
 * <ul>
 *   <li>a "VM" container with no NIC ({@code --network none}) whose first process is the amd64 build of
 *       {@code sb4j-guest setup}: with NET_ADMIN (as the VM's init has) it brings up lo, adds the loopback route,
 *       loads the nftables redirects and starts the relay, then execs a stand-in for {@code vminitd};</li>
 *   <li>the host directory holding the JVM's relay socket, mounted at {@code /run/sockets} (where container
 *       relays host sockets inside the VM); the relay finds the socket by HELLO;</li>
 *   <li>a "workload" container in the same network namespace (the container of an Apple VM shares the VM's),
 *       in its own PID namespace, without NET_ADMIN and NET_RAW, with {@code nameserver 127.0.0.1}.</li>
 * </ul>
 * Both carry {@code dev.sandbox4j.managed=true}; {@link #close()} removes them.
 */
public final class GuestPair implements AutoCloseable {
    static final String GUEST_RESOURCE = "/dev/sandbox4j/egress/guest/linux-amd64/sb4j-guest";
    private static final Duration STEP = Duration.ofSeconds(60);
    private final CommandRunner runner = CommandRunner.system();
    private final String vm;
    private final String workload;
    private final Path files;

    private GuestPair(String id, Path files) {
        this.vm = "sb4j-relayvm-" + id;
        this.workload = "sb4j-relaywl-" + id;
        this.files = files;
    }

    /** Starts both containers; the relay talks to the sockets in {@code socketDir}. */
    public static GuestPair start(Path socketDir) {
        return start(socketDir, false);
    }

    /**
     * Like {@link #start(Path)}, but the guest runs exactly as in an init image: as {@code /sbin/vminitd}, with
     * the built-in socket directory {@code /run/sockets}, exec-ing {@code /sbin/vminitd.real} with its own
     * arguments (here a script that records them and sleeps).
     */
    public static GuestPair startAsInit(Path socketDir) {
        return start(socketDir, true);
    }

    private static GuestPair start(Path socketDir, boolean asInit) {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        Path files;
        try {
            files = Files.createTempDirectory("sb4j-guestpair");
            Path guest = files.resolve("sb4j-guest");
            try (InputStream in = GuestPair.class.getResourceAsStream(GUEST_RESOURCE)) {
                if (in == null) {
                    throw new AssertionError("the amd64 guest piece " + GUEST_RESOURCE + " is not on the test class "
                            + "path: sandbox-egress/src/guest/build.sh needs gcc and the static glibc (libc6-dev)");
                }
                Files.copy(in, guest);
            }
            Files.setPosixFilePermissions(guest, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(files.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
            Path real = files.resolve("vminitd.real");
            Files.writeString(real, "#!/bin/sh\necho \"$*\" > /tmp/vminitd-real-args\nexec /bin/sleep 86400\n");
            Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GuestPair pair = new GuestPair(HexFormat.of().formatHex(b), files);
        try {
            pair.create(socketDir, asInit);
            return pair;
        } catch (RuntimeException | Error e) {
            pair.close();
            throw e;
        }
    }

    private void create(Path socketDir, boolean asInit) {
        String image = TestImages.busybox();
        if (asInit) {
            podman("run", "-d", "--name", vm, "--label", "dev.sandbox4j.managed=true", "--network", "none",
                    "--cap-add", "NET_ADMIN", "-v", socketDir + ":/run/sockets",
                    "-v", files.resolve("sb4j-guest") + ":/sbin/vminitd:ro",
                    "-v", files.resolve("vminitd.real") + ":/sbin/vminitd.real:ro",
                    "--entrypoint", "/sbin/vminitd", image, "--vminitd-flag", "value");
        } else {
            podman("run", "-d", "--name", vm, "--label", "dev.sandbox4j.managed=true", "--network", "none",
                    "--cap-add", "NET_ADMIN", "-v", files + ":/sb4j:ro", "-v", socketDir + ":/run/sockets",
                    "--entrypoint", "/sb4j/sb4j-guest", image,
                    "setup", "--socket-dir", "/run/sockets", "--", "/bin/sleep", "86400");
        }
        podman("run", "-d", "--name", workload, "--label", "dev.sandbox4j.managed=true", "--network",
                "container:" + vm, "--cap-drop", "NET_ADMIN", "--cap-drop", "NET_RAW",
                "-v", files.resolve("resolv.conf") + ":/etc/resolv.conf:ro", image, "/bin/sleep", "86400");
        for (int i = 0; i < 100; i++) {
            CommandResult logs = podman("logs", vm);
            if ((logs.stdout() + logs.stderr()).contains("relay listening")) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        CommandResult logs = podman("logs", vm);
        throw new AssertionError("the guest relay did not start: " + logs.stdout() + logs.stderr());
    }

    /** Runs a shell script in the workload container (no NET_ADMIN, no NET_RAW). */
    public CommandResult exec(String script) {
        return podman("exec", workload, "/bin/sh", "-c", script);
    }

    /** Runs a shell script in the "VM" container (where the relay runs). */
    public CommandResult execInVm(String script) {
        return podman("exec", vm, "/bin/sh", "-c", script);
    }

    /** The host pid of the workload's first process (for nsenter). */
    String workloadPid() {
        return podman("inspect", "-f", "{{.State.Pid}}", workload).stdout().strip();
    }

    /** Packets the guest's own rules dropped (IPv4 and IPv6 counters summed). */
    long guestDrops() {
        CommandResult r = runner.run(Command.of(List.of("nsenter", "-t", workloadPid(), "-n", "/usr/sbin/nft",
                "list", "ruleset"), STEP));
        long sum = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(r.stdout());
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    String guestRuleset() {
        return runner.run(Command.of(List.of("nsenter", "-t", workloadPid(), "-n", "/usr/sbin/nft", "list",
                "ruleset"), STEP)).stdout();
    }

    CommandResult run(List<String> argv) {
        return runner.run(Command.of(argv, STEP));
    }

    private CommandResult podman(String... args) {
        List<String> argv = new ArrayList<>(List.of("podman"));
        argv.addAll(List.of(args));
        CommandResult r = runner.run(Command.of(argv, STEP));
        if (r.exitCode() != 0 && !args[0].equals("exec")) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r;
    }

    @Override
    public void close() {
        // one at a time: the workload joined the VM container's network namespace, which podman will not remove
        // in the same command
        runner.run(Command.of(List.of("podman", "rm", "-f", "-t", "0", workload), STEP));
        CommandResult rm = runner.run(Command.of(List.of("podman", "rm", "-f", "-t", "0", vm), STEP));
        if (rm.exitCode() != 0) {
            throw new AssertionError("could not remove " + vm + ": " + rm.stderr());
        }
        try {
            Files.deleteIfExists(files.resolve("sb4j-guest"));
            Files.deleteIfExists(files.resolve("resolv.conf"));
            Files.deleteIfExists(files.resolve("vminitd.real"));
            Files.deleteIfExists(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
