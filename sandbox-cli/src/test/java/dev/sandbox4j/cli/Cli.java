package dev.sandbox4j.cli;

import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Runs the real CLI in-process, capturing the bytes it writes, and runs podman/nft for the tests' own checks. */
final class Cli {
    record Outcome(int exitCode, byte[] stdout, byte[] stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    private Cli() {
    }

    /**
     * The busybox test image, built offline when missing; skips the calling test (or class) without Podman.
     *
     * @return the image reference
     */
    static String busybox() {
        RuntimeRequirement.require("podman");
        return TestImages.busybox();
    }

    static Outcome run(String... args) {
        return runWithInput(new byte[0], args);
    }

    static Outcome runWithInput(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SandboxCli.commandLine(new ByteArrayInputStream(stdin), out, err).execute(args);
        return new Outcome(code, out.toByteArray(), err.toByteArray());
    }

    /** {@code sandbox run -d --name NAME IMAGE COMMAND...}, which must succeed. */
    static void keep(String name, String image, String... command) {
        List<String> argv = new java.util.ArrayList<>(List.of("run", "-d", "--name", name, image));
        argv.addAll(List.of(command));
        Outcome r = run(argv.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new AssertionError("run -d failed (exit " + r.exitCode() + "): " + r.err());
        }
    }

    static CommandResult host(String... argv) {
        return CommandRunner.system().run(Command.of(List.of(argv), Duration.ofSeconds(60)));
    }

    /** Names of containers carrying a label, running or not. */
    static List<String> containersLabelled(String label) {
        return host("podman", "ps", "-a", "--filter", "label=" + label, "--format", "{{.Names}}").stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }

    static List<String> networksLabelled(String label) {
        return host("podman", "network", "ls", "--filter", "label=" + label, "--format", "{{.Name}}").stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }

    /** Whether the sandbox's container is there with its egress table in its own network namespace. */
    static boolean nftTableExists(String sandboxName) {
        CommandResult pid = host("podman", "inspect", "--format", "{{.State.Pid}}", sandboxName);
        if (pid.exitCode() != 0 || pid.stdout().strip().equals("0")) {
            return false;
        }
        return host("nsenter", "-t", pid.stdout().strip(), "-n", "nft", "list", "tables").stdout()
                .contains("sandbox4j_");
    }
}
