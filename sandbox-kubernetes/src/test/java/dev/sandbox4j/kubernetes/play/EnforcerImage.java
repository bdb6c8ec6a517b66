package dev.sandbox4j.kubernetes.play;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The enforcer image with the enforcer's jars taken from this build: sandbox-egress and its runtime dependencies
 * (plus an SLF4J provider for the enforcer's own log) are copied from the test class path into a directory (a
 * module that is a class directory is packed into a jar with fixed timestamps), and
 * {@code scripts/build-enforcer-image.sh --jars DIR} builds the image unless one of that name already holds jars
 * with the same digest (its label {@code dev.sandbox4j.enforcer.jars}). So a clean clone needs no step before
 * the Maven build: an image without jars, as CI builds first, is rebuilt here.
 */
final class EnforcerImage {
    /**
     * Class path entries the enforcer needs: sandbox-egress, sandbox-core and their runtime dependencies (Jackson 2,
     * not the Jackson 3 the Kubernetes client brings).
     */
    private static final Pattern NEEDED = Pattern.compile(
            "(sandbox-egress|sandbox-core|dnsjava|jna|slf4j-api|slf4j-simple)-[0-9][^/]*\\.jar"
                    + "|(jackson-databind|jackson-core|jackson-annotations)-2\\.[^/]*\\.jar");
    private static final Pattern MODULE_CLASSES = Pattern.compile(".*/(sandbox-egress|sandbox-core)/target/classes/?");
    private static final Duration BUILD = Duration.ofMinutes(5);

    private EnforcerImage() {
    }

    /** Makes sure {@code image} holds this build's enforcer jars; returns it. */
    static String ensure(Path repo, Path work, String image) throws IOException {
        Path jars = collectJars(work.resolve("enforcer-jars"));
        String digest = digest(jars);
        CommandRunner runner = CommandRunner.system();
        CommandResult label = runner.run(Command.of(List.of("podman", "image", "inspect", "--format",
                "{{index .Labels \"dev.sandbox4j.enforcer.jars\"}}", image), BUILD));
        if (label.exitCode() == 0 && label.stdout().strip().equals(digest)) {
            return image;
        }
        runner.run(Command.of(List.of(repo.resolve("scripts/build-enforcer-image.sh").toString(), "--jars",
                jars.toAbsolutePath().toString(), image), BUILD)).requireSuccess();
        return image;
    }

    private static Path collectJars(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> old = Files.list(dir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        List<String> found = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (NEEDED.matcher(name).matches() && !name.endsWith("-tests.jar")) {
                Files.copy(p, dir.resolve(name));
                found.add(name);
            } else if (MODULE_CLASSES.matcher(entry).matches() && Files.isDirectory(p)) {
                String module = p.getParent().getParent().getFileName().toString();
                jar(p, dir.resolve(module + "-classes.jar"));
                found.add(module);
            }
        }
        for (String module : List.of("sandbox-egress", "sandbox-core", "dnsjava", "jackson-databind")) {
            if (found.stream().noneMatch(f -> f.startsWith(module))) {
                throw new IllegalStateException(module + " is not on the test class path: " + found);
            }
        }
        return dir;
    }

    /** A jar of a class directory, entries sorted and timestamps fixed, so the same classes give the same bytes. */
    private static void jar(Path classes, Path target) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out)) {
            for (Path f : files) {
                JarEntry e = new JarEntry(classes.relativize(f).toString().replace('\\', '/'));
                e.setLastModifiedTime(FileTime.fromMillis(1767225600000L));
                jar.putNextEntry(e);
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }

    /** What the build script writes as the label: sha256 of {@code sha256sum *.jar} in byte order of names. */
    static String digest(Path dir) throws IOException {
        List<Path> jars;
        try (Stream<Path> list = Files.list(dir)) {
            jars = list.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted((a, b) -> compareBytes(a.getFileName().toString(), b.getFileName().toString())).toList();
        }
        StringBuilder sums = new StringBuilder();
        for (Path j : jars) {
            sums.append(sha256(Files.readAllBytes(j))).append("  ").append(j.getFileName()).append('\n');
        }
        return sha256(sums.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compare(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
