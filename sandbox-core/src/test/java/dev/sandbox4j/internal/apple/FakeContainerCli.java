package dev.sandbox4j.internal.apple;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Installs {@code fake-container.sh} (a real executable that behaves like Apple's {@code container} for a
 * script of commands and fails on anything unscripted) into a directory, and writes its script. Steps may be
 * added while the test runs: the executable reads step N only when it is called for the N-th time.
 */
final class FakeContainerCli {
    final Path executable;
    private final Path script;
    private int steps;

    private FakeContainerCli(Path executable, Path script) {
        this.executable = executable;
        this.script = script;
    }

    static FakeContainerCli install(Path dir) {
        try (InputStream in = FakeContainerCli.class.getResourceAsStream("/apple/fake-container.sh")) {
            Path exe = dir.resolve("container");
            Files.write(exe, in.readAllBytes());
            Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path script = Files.createDirectories(dir.resolve("script"));
            return new FakeContainerCli(exe, script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Installs the stand-in into {@code dir} and points the Apple provider at it, with the host checks off (the
     * stand-in runs on any OS); {@link #clearProvider()} undoes that.
     */
    static FakeContainerCli installAsProvider(Path dir) {
        FakeContainerCli fake = install(dir);
        System.setProperty(AppleContainerProvider.CLI_PROPERTY, fake.executable.toString());
        System.setProperty(AppleContainerProvider.HOST_CHECKS_PROPERTY, "false");
        return fake;
    }

    /** Points the Apple provider back at the real CLI and host checks. */
    static void clearProvider() {
        System.clearProperty(AppleContainerProvider.CLI_PROPERTY);
        System.clearProperty(AppleContainerProvider.HOST_CHECKS_PROPERTY);
    }

    /** One expected command; the arguments after the program name. */
    Step expect(String... argv) {
        Step s = new Step(script.resolve(String.format("%03d", steps++)));
        s.write("argv", String.join("\n", List.of(argv)) + "\n");
        return s;
    }

    /** Fails unless every scripted step ran and nothing unscripted was called. */
    void assertAllRan() {
        try {
            Path failures = script.resolve("failures");
            if (Files.exists(failures)) {
                throw new AssertionError("the fake container CLI was called off-script:\n" + Files.readString(failures));
            }
            int next = Files.exists(script.resolve("next")) ? Integer.parseInt(Files.readString(script.resolve("next")).strip()) : 0;
            if (next != steps) {
                throw new AssertionError("only " + next + " of " + steps + " scripted commands ran");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String failures() {
        try {
            Path f = script.resolve("failures");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One step of the script. */
    static final class Step {
        final Path base;

        private Step(Path base) {
            this.base = base;
        }

        private Step write(String suffix, String content) {
            try {
                Files.writeString(base.resolveSibling(base.getFileName() + "." + suffix), content, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Step stdout(String text) {
            return write("out", text);
        }

        Step stderr(String text) {
            return write("err", text);
        }

        Step exit(int code) {
            return write("exit", Integer.toString(code));
        }

        /** Saves what the CLI receives on stdin; read it back with {@link #receivedStdin()}. */
        Step captureStdin() {
            return write("stdin", "");
        }

        /** A bash snippet run with the CLI's arguments ($1 ...) and the step's path in $STEP. */
        Step run(String bash) {
            return write("sh", bash + "\n");
        }

        String receivedStdin() {
            try {
                return Files.readString(base.resolveSibling(base.getFileName() + ".stdin-received"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Path path(String suffix) {
            return base.resolveSibling(base.getFileName() + "." + suffix);
        }
    }
}
