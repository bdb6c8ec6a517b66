package dev.sandbox4j.contract;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The offline test image: a {@code FROM scratch} image holding the host's statically linked busybox (Debian's
 * busybox-static), its applets installed as links, a passwd file with an unprivileged user, and /work. Built
 * once per machine by the tests themselves; nothing is pulled from a registry.
 */
public final class TestImages {
    /** The image every runtime test runs. */
    public static final String BUSYBOX = "localhost/sandbox4j-test/busybox:latest";
    private static final Path BUSYBOX_BINARY = Path.of(System.getenv().getOrDefault("SANDBOX4J_BUSYBOX", "/bin/busybox"));

    private static volatile boolean built;
    private static volatile String appleImage;

    private TestImages() {
    }

    /** Builds {@link #BUSYBOX} with podman unless it already exists; returns its reference. */
    public static synchronized String busybox() {
        if (built) {
            return BUSYBOX;
        }
        CommandRunner runner = CommandRunner.system();
        CommandResult exists = runner.run(Command.of(List.of("podman", "image", "exists", BUSYBOX), Duration.ofSeconds(30)));
        if (exists.exitCode() != 0) {
            build(runner);
        }
        built = true;
        return BUSYBOX;
    }

    /**
     * The test image for Apple's {@code container}: the same layout, built by the runtime itself from Docker Hub's
     * busybox (a Mac has no busybox-static to copy; macOS CI runners reach the registry). Built once per JVM.
     */
    public static synchronized String busyboxForAppleContainer() {
        if (appleImage != null) {
            return appleImage;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sandbox4j-image");
            writeRootfs(dir);
            Files.writeString(dir.resolve("Containerfile"), """
                    FROM docker.io/library/busybox:1.36.1
                    COPY rootfs/ /
                    RUN mkdir -p /work /home/sandbox /var/www && chmod 1777 /tmp && chown 1000:1000 /home/sandbox
                    """);
            dev.sandbox4j.SandboxSpec spec = dev.sandbox4j.Sandbox.builder()
                    .dockerfile(dir, Path.of("Containerfile"))
                    .runtime("apple-container")
                    .pullPolicy(dev.sandbox4j.PullPolicy.MISSING)
                    .egress(dev.sandbox4j.egress.EgressPolicy.allowAll())
                    .build();
            appleImage = dev.sandbox4j.internal.Runtimes.backend(java.util.Optional.of("apple-container"))
                    .prepareImage(spec, Duration.ofMinutes(15));
            return appleImage;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static void writeRootfs(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("rootfs/etc"));
        Files.writeString(dir.resolve("rootfs/etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                sandbox:x:1000:1000:sandbox:/home/sandbox:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
                """);
        Files.writeString(dir.resolve("rootfs/etc/group"), """
                root:x:0:
                sandbox:x:1000:
                nogroup:x:65534:
                """);
    }

    /** Writes the image's build context into {@code dir}: the Containerfile and the busybox binary. */
    public static void writeContext(Path dir) throws IOException {
        if (!Files.isRegularFile(BUSYBOX_BINARY)) {
            throw new IllegalStateException(BUSYBOX_BINARY + " is missing: install it with `apt-get install busybox-static`");
        }
        writeRootfs(dir);
        Files.copy(BUSYBOX_BINARY, dir.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("Containerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                COPY rootfs/ /
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/work", "/root", "/home/sandbox", "/var/www"]
                RUN ["/bin/busybox", "chmod", "1777", "/tmp"]
                RUN ["/bin/busybox", "chown", "1000:1000", "/home/sandbox"]
                ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                CMD ["/bin/sh"]
                """);
    }

    private static void build(CommandRunner runner) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sandbox4j-image");
            writeContext(dir);
            runner.run(Command.builder(List.of("podman", "build", "--pull=never", "-f",
                            dir.resolve("Containerfile").toString(), "-t", BUSYBOX, dir.toString()))
                    .timeout(Duration.ofMinutes(5)).build()).requireSuccess();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    /** Deletes a directory tree, ignoring what is already gone. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
