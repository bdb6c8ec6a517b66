package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The repository's {@code sandbox} launcher script, run as a process. It gets this JVM's class path through
 * {@code SANDBOX_CLASSPATH}, so the test does not depend on the shaded jar being built.
 */
class LauncherScriptTest {
    private static final Path SCRIPT = Path.of("..", "sandbox").toAbsolutePath().normalize();

    private static CommandResult launch(String... args) {
        List<String> argv = new ArrayList<>(List.of(SCRIPT.toString()));
        argv.addAll(List.of(args));
        return CommandRunner.system().run(Command.builder(argv)
                .env("SANDBOX_CLASSPATH", System.getProperty("java.class.path"))
                .timeout(Duration.ofMinutes(2))
                .build());
    }

    @Test
    void launcherIsExecutableAndPrintsTheVersion() {
        assertThat(Files.isExecutable(SCRIPT)).isTrue();

        CommandResult r = launch("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).startsWith("sandbox (Sandbox4j) ");
    }

    @Test
    void launcherRunsACommandAndExitsWithItsExitCode() {
        RuntimeRequirement.require("podman");
        String image = TestImages.busybox();

        CommandResult r = launch("run", image, "sh", "-c", "echo via the script; exit 9");

        assertThat(r.exitCode()).isEqualTo(9);
        assertThat(r.stdout()).isEqualTo("via the script\n");
    }

    @Test
    void aPullShowsPodmansProgressLinesOnStderr() {
        RuntimeRequirement.require("podman");
        // a registry on loopback that is not there: podman reports its attempt, and the pull fails at once
        String absent = "localhost/sandbox4j-test/absent-" + java.util.UUID.randomUUID().toString().substring(0, 8)
                + ":latest";

        CommandResult r = launch("run", "--pull", "missing", absent, "true");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("INFO build - Trying to pull " + absent)   // podman's line, as it came
                .contains("sandbox: image " + absent + " could not be pulled");
    }

    @Test
    void launcherReportsUsageErrorsWithExitCodeTwo() {
        CommandResult r = launch("run", "--no-such-option");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("Unknown option: '--no-such-option'");
    }
}
