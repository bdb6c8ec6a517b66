package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Apple backend's copies (a tar stream through {@code container exec}, on every release; {@code container
 * copy} differs from {@code podman cp} in file modes, missing parents and ':' in paths) run their real
 * in-container half: the backend's
 * {@code container exec} argument lists are handed to {@code podman exec} on a real busybox container (the only
 * rewrite: the program name and {@code --interactive} to {@code -i}; the shell script, tar and stdin are the
 * backend's own). The outcomes are the ones the runtime contract asks of every runtime, so the Apple backend
 * copies the way Podman does. Any other command is a test failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppleCopyThroughTarOnPodmanTest {
    private static final Duration T = Duration.ofSeconds(60);
    private final String name = "sb4j-applecopy-" + Long.toHexString(System.nanoTime());
    @TempDir
    Path tmp;

    /** Runs {@code container exec ...} as {@code podman exec ...}; fails on anything else. */
    private static final class ExecOnPodman implements CommandRunner {
        final List<List<String>> seen = new ArrayList<>();

        @Override
        public CommandResult run(Command command) {
            List<String> argv = command.argv();
            seen.add(argv);
            if (argv.size() < 2 || !argv.get(1).equals("exec")) {
                throw new AssertionError("not a `container exec`: " + argv);
            }
            List<String> podman = new ArrayList<>(List.of("podman", "exec"));
            for (int i = 2; i < argv.size(); i++) {
                podman.add(i == 2 && argv.get(i).equals("--interactive") ? "-i" : argv.get(i));
            }
            Command.Builder b = Command.builder(podman).timeout(command.timeout());
            command.stdin().ifPresent(b::stdin);
            return CommandRunner.system().run(b.build());
        }

        @Override
        public RunningCommand start(Command command) {
            throw new AssertionError("not expected: " + command.argv());
        }
    }

    @BeforeAll
    void startContainer() {
        RuntimeRequirement.require("podman");
        String image = TestImages.busybox();
        CommandRunner.system().run(Command.of(List.of("podman", "run", "-d", "--name", name, "--label",
                Ownership.MANAGED + "=true", image, "sleep", "600"), T)).requireSuccess();
    }

    @AfterAll
    void removeContainer() {
        CommandRunner.system().run(Command.of(List.of("podman", "rm", "-f", "-t", "0", name), T));
    }

    private AppleContainerBackend backend(String version, ExecOnPodman runner) {
        return new AppleContainerBackend(runner, new AppleContainerArgs("/usr/local/bin/container",
                AppleCliVersion.parse(version)), AppleRunOptions.DEFAULTS, new AppleHostCheck.Limits(0, 0, 0));
    }

    private String inside(String script) {
        return CommandRunner.system().run(Command.of(List.of("podman", "exec", name, "sh", "-c", script), T))
                .requireSuccess().stdout();
    }

    @ParameterizedTest(name = "container {0}")
    @ValueSource(strings = {"0.12.3", "1.2.2"})
    void scriptsKeepTheirModeAndModesComeBackOut(String version) throws Exception {
        // given
        String dir = "/tmp/modes-" + version;
        inside("rm -rf " + dir + " && mkdir " + dir + " && printf x > " + dir + "/tool && chmod 751 " + dir + "/tool");
        Path script = Files.writeString(tmp.resolve("run.sh"), "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ExecOnPodman runner = new ExecOnPodman();
        AppleContainerBackend b = backend(version, runner);

        // when
        b.copyTo(name, script, dir + "/run.sh", T);
        b.copyFrom(name, dir + "/tool", tmp.resolve("tool.back"), T);

        // then
        assertThat(inside("stat -c %a " + dir + "/run.sh; " + dir + "/run.sh")).isEqualTo("755\nran\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("tool.back"))))
                .isEqualTo("rwxr-x--x");
        assertThat(runner.seen).allSatisfy(a -> assertThat(a.get(1)).isEqualTo("exec"));
    }

    @ParameterizedTest(name = "container {0}")
    @ValueSource(strings = {"0.12.3", "1.2.2"})
    void directoriesNestIntoExistingDirectoriesAndTakeTheNameOfNewPaths(String version) throws Exception {
        // given
        String dir = "/tmp/nest-" + version;
        inside("rm -rf " + dir + " && mkdir -p " + dir + "/existing " + dir + "/out/d && echo o > " + dir
                + "/out/d/g.txt");
        Path tree = Files.createDirectories(tmp.resolve("tree/sub")).getParent();
        Files.writeString(tree.resolve("sub/f.txt"), "leaf\n");
        Path one = Files.writeString(tmp.resolve("one.txt"), "one\n");
        Path hostExisting = Files.createDirectories(tmp.resolve("host-existing"));
        AppleContainerBackend b = backend(version, new ExecOnPodman());

        // when
        b.copyTo(name, tree, dir + "/existing", T);
        b.copyTo(name, tree, dir + "/fresh", T);
        b.copyTo(name, one, dir + "/existing", T);
        b.copyFrom(name, dir + "/out/d", hostExisting, T);
        b.copyFrom(name, dir + "/out/d", tmp.resolve("host-fresh"), T);

        // then
        assertThat(inside("cd " + dir + " && find existing fresh | sort")).isEqualTo("""
                existing
                existing/one.txt
                existing/tree
                existing/tree/sub
                existing/tree/sub/f.txt
                fresh
                fresh/sub
                fresh/sub/f.txt
                """);
        assertThat(hostExisting.resolve("d/g.txt")).hasContent("o");
        assertThat(tmp.resolve("host-fresh/g.txt")).hasContent("o");
    }

    @ParameterizedTest(name = "container {0}")
    @ValueSource(strings = {"0.12.3", "1.2.2"})
    void hostPathsWithAColonGoThroughTarBothWays(String version) throws Exception {
        // given: `container copy` would refuse these (ContainerCopy.parsePathRef splits on every ':')
        Path dir = Files.createDirectories(tmp.resolve("with:colon"));
        Path in = Files.writeString(dir.resolve("in:put.txt"), "colon in\n");
        Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rw-r--r--"));
        inside("echo colon out > /tmp/colon-out-" + version + ".txt");
        ExecOnPodman runner = new ExecOnPodman();
        AppleContainerBackend b = backend(version, runner);

        // when
        b.copyTo(name, in, "/tmp/colon-in-" + version + ".txt", T);
        b.copyFrom(name, "/tmp/colon-out-" + version + ".txt", dir.resolve("out:put.txt"), T);

        // then
        assertThat(inside("cat /tmp/colon-in-" + version + ".txt")).isEqualTo("colon in\n");
        assertThat(Files.readString(dir.resolve("out:put.txt"), StandardCharsets.UTF_8)).isEqualTo("colon out\n");
        assertThat(runner.seen).hasSize(2).allSatisfy(a -> assertThat(a.get(1)).isEqualTo("exec"));
    }

    @ParameterizedTest(name = "container {0}")
    @ValueSource(strings = {"0.12.3", "1.2.2"})
    void copyIntoAMissingDirectoryFailsAndCreatesNothingInTheContainer(String version) throws Exception {
        // given
        Path file = Files.writeString(tmp.resolve("lost.txt"), "lost\n");
        String missing = "/tmp/missing-" + version;
        ExecOnPodman runner = new ExecOnPodman();
        AppleContainerBackend b = backend(version, runner);

        // when / then
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.copyTo(name, file, missing + "/deeper/lost.txt", T))
                .isInstanceOf(AppleCliException.class).hasMessageContaining("no such directory in the container");
        assertThat(inside("test -e " + missing + " && echo there || echo absent")).isEqualTo("absent\n");
        assertThat(runner.seen).hasSize(1);
    }
}
