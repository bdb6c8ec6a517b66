package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged executable jar and the launcher script, as a user gets them: {@code java -jar} on the jar, and the
 * launcher copied with the jar into a directory outside the repository, so neither Maven nor a clone is near.
 * Runs after {@code package} (the {@code jar-tests} execution), with the jar's path in {@code sandbox.cli.jar}.
 */
class JarIT {
    private static final Path JAR = Path.of(System.getProperty("sandbox.cli.jar", "target/missing-all.jar"));
    private static final Path LAUNCHER = Path.of(System.getProperty("sandbox.cli.launcher", "src/main/sh/sandbox"));

    @TempDir
    Path dir;

    private static CommandResult run(Path cwd, List<String> argv) {
        return CommandRunner.system().run(Command.builder(argv).directory(cwd).timeout(Duration.ofMinutes(2)).build());
    }

    private static List<String> javaJar(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JAR.toString()));
        argv.addAll(List.of(args));
        return argv;
    }

    @Test
    void theJarNamesItsMainClassAndVersion() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.sandbox4j.cli.SandboxCli");
        }

        CommandResult r = run(dir, javaJar("--version"));

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("sandbox (Sandbox4j) 0.1.0-SNAPSHOT");
    }

    @Test
    void javaDashJarRunsASandbox() {
        RuntimeRequirement.require("podman");

        CommandResult r = run(dir, javaJar("run", TestImages.busybox(), "sh", "-c", "echo from the jar; exit 4"));

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(4);
        assertThat(r.stdout()).isEqualTo("from the jar\n");
    }

    @Test
    void launcherFindsTheJarNextToItOutsideTheRepository() throws Exception {
        RuntimeRequirement.require("podman");
        Path script = install(dir, dir);

        CommandResult r = run(dir, List.of(script.toString(), "run", TestImages.busybox(), "echo", "installed"));

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("installed\n");
    }

    @Test
    void aKeptSandboxStartedFromTheInstalledJarServesExecUntilRemoved() throws Exception {
        RuntimeRequirement.require("podman");
        Path script = install(dir, dir);
        String name = "jar-it-" + java.util.UUID.randomUUID().toString().substring(0, 8);

        CommandResult started = run(dir, List.of(script.toString(), "run", "-d", "--name", name, TestImages.busybox()));
        try {
            CommandResult exec = run(dir, List.of(script.toString(), "exec", name, "sh", "-c", "echo kept; exit 5"));

            assertThat(started.exitCode()).as(started.stderr()).isZero();
            assertThat(exec.exitCode()).as(exec.stderr()).isEqualTo(5);
            assertThat(exec.stdout()).isEqualTo("kept\n");
        } finally {
            CommandResult rm = run(dir, List.of(script.toString(), "rm", name));
            assertThat(rm.exitCode()).as(rm.stderr()).isZero();
        }
    }

    @Test
    void launcherInABinDirectoryFindsTheJarInLibThroughASymlink() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("opt/bin"));
        Path lib = Files.createDirectories(dir.resolve("opt/lib"));
        Path script = install(bin, lib);
        Path link = Files.createSymbolicLink(dir.resolve("sandbox"), script);

        CommandResult r = run(dir, List.of(link.toString(), "--version"));

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("sandbox (Sandbox4j) ");
    }

    @Test
    void theRepositorysLauncherRunsTheBuiltJar() {
        Path script = Path.of("..", "sandbox").toAbsolutePath().normalize();

        CommandResult r = run(dir, List.of(script.toString(), "--version"));

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("sandbox (Sandbox4j) 0.1.0-SNAPSHOT");
        assertThat(r.stderr()).doesNotContain("building");
    }

    @Test
    void launcherWithoutAJarSaysWhereItLooked() throws Exception {
        Path script = dir.resolve("sandbox");
        Files.copy(LAUNCHER, script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        CommandResult r = run(dir, List.of(script.toString(), "--version"));

        assertThat(r.exitCode()).isEqualTo(125);
        assertThat(r.stderr()).contains("cannot find sandbox-cli-*-all.jar").contains("SANDBOX_JAR");
    }

    private static Path install(Path bin, Path lib) throws Exception {
        Path script = bin.resolve("sandbox");
        Files.copy(LAUNCHER, script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(JAR, lib.resolve(JAR.getFileName()));
        return script;
    }
}
