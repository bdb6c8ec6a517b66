package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Re-records the fixtures under {@code src/test/resources/apple/recorded/} from the real CLI on a Mac:
 * {@code mvn -pl sandbox-core test -Dtest=AppleFixtureRecorderTest -Dsandbox4j.apple.rerecord=true}. It runs a
 * short-lived probe container from {@code -Dsandbox4j.apple.rerecord.image} (default
 * {@code docker.io/library/alpine:latest}; it must already be in the local image store) and removes it again.
 * Every recorded file is then parsed by {@link #recordedFixturesParse()} on every machine.
 */
class AppleFixtureRecorderTest {
    static final String SWITCH = "sandbox4j.apple.rerecord";
    private static final Duration T = Duration.ofMinutes(2);
    private static final Path RECORDED = Path.of("src/test/resources/apple/recorded");

    @Test
    @EnabledOnOs(OS.MAC)
    @EnabledIfSystemProperty(named = SWITCH, matches = "true")
    void rerecordCapturedFixturesFromTheInstalledCli() throws IOException {
        // given
        HostEnvironment host = HostEnvironment.current();
        AppleContainerProvider provider = new AppleContainerProvider();
        String cli = provider.resolveCli(host).orElseThrow(() -> new AssertionError(provider.unavailableReason(host)))
                .toString();
        CommandRunner runner = CommandRunner.system();
        String image = System.getProperty(SWITCH + ".image", "docker.io/library/alpine:latest");
        String version = run(runner, List.of(cli, "--version")).stdout().strip();
        String macos = AppleHostCheck.macOsVersion(AppleHostFacts.NATIVE).map(v -> v.version()).orElse("unknown");
        Files.createDirectories(RECORDED);
        String probe = "sb4j-record-probe";
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("version.txt", List.of(cli, "--version"));
        commands.put("system-version.json", List.of(cli, "system", "version", "--format", "json"));
        commands.put("system-status.json", List.of(cli, "system", "status", "--format", "json"));
        commands.put("image-list.json", List.of(cli, "image", "list", "--format", "json"));
        commands.put("network-list.json", List.of(cli, "network", "list", "--format", "json"));
        commands.put("network-inspect-default.json", List.of(cli, "network", "inspect", "default"));

        // when
        List<String> written = new ArrayList<>();
        run(runner, List.of(cli, "delete", "--force", probe));
        for (Map.Entry<String, List<String>> e : commands.entrySet()) {
            written.add(record(runner, e.getKey(), e.getValue(), version, macos, false));
        }
        run(runner, List.of(cli, "run", "--detach", "--name", probe, "--label", "dev.sandbox4j.record=1",
                "--publish", "127.0.0.1:18099:80", image, "sleep", "300"));
        try {
            written.add(record(runner, "list-running.json", List.of(cli, "list", "--all", "--format", "json"), version, macos, false));
            written.add(record(runner, "inspect-running.json", List.of(cli, "inspect", probe), version, macos, false));
            written.add(record(runner, "exec-streams.txt", List.of(cli, "exec", probe, "sh", "-c",
                    "echo out; echo err >&2; exit 3"), version, macos, true));
            run(runner, List.of(cli, "stop", probe));
            written.add(record(runner, "inspect-stopped.json", List.of(cli, "inspect", probe), version, macos, false));
            written.add(record(runner, "error-exec-stopped.txt", List.of(cli, "exec", probe, "true"), version, macos, true));
        } finally {
            run(runner, List.of(cli, "delete", "--force", probe));
        }
        written.add(record(runner, "error-inspect-missing.txt", List.of(cli, "inspect", probe), version, macos, true));
        written.add(record(runner, "error-delete-missing.txt", List.of(cli, "delete", probe), version, macos, true));
        written.add(record(runner, "error-usage.txt", List.of(cli, "list", "--bogusflag"), version, macos, true));

        // then
        assertThat(written).allSatisfy(f -> assertThat(RECORDED.resolve(f)).exists());
    }

    private static CommandResult run(CommandRunner runner, List<String> argv) {
        return runner.run(Command.builder(argv).unsetEnv(AppleContainerBackend.PLATFORM_ENV).timeout(T).build());
    }

    private static String record(CommandRunner runner, String file, List<String> argv, String version, String macos,
                                 boolean withStderr) throws IOException {
        CommandResult r = run(runner, argv);
        String header = "# kind: recorded\n"
                + "# command: " + String.join(" ", argv.subList(1, argv.size())).replace("\n", " ") + "\n"
                + "# cli-version: " + version + "\n"
                + "# macos: " + macos + "\n"
                + "# date: " + LocalDate.now(ZoneOffset.UTC) + "\n"
                + "# source: recorded on this Mac by AppleFixtureRecorderTest (-D" + SWITCH + "=true)\n"
                + "# exit: " + r.exitCode() + "\n---\n";
        String payload = withStderr ? "stdout:\n" + r.stdout() + "stderr:\n" + r.stderr() : r.stdout();
        Files.writeString(RECORDED.resolve(file), header + payload + (payload.endsWith("\n") ? "" : "\n"));
        return file;
    }

    @TestFactory
    Stream<DynamicTest> recordedFixturesParse() {
        return Fixture.all("recorded").stream().filter(f -> f.name().endsWith(".json"))
                .map(f -> DynamicTest.dynamicTest(f.name(), () -> {
                    String cmd = f.meta("command");
                    if (cmd.startsWith("list") || cmd.startsWith("inspect")) {
                        assertThat(AppleContainerParser.containers(f.payload())).isNotEmpty();
                    } else if (cmd.startsWith("network")) {
                        assertThat(AppleContainerParser.networks(f.payload())).isNotEmpty();
                    } else if (cmd.startsWith("image")) {
                        AppleContainerParser.images(f.payload());
                    } else if (cmd.startsWith("system status")) {
                        assertThat(AppleContainerParser.systemStatus(f.payload(), Integer.parseInt(f.meta("exit"))).status())
                                .isNotEmpty();
                    } else if (cmd.startsWith("system version")) {
                        assertThat(AppleContainerParser.systemVersion(f.payload())).isNotEmpty();
                    }
                }));
    }
}
