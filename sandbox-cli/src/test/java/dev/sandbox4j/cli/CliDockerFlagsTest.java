package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sandbox run} as {@code docker run} users type it, against real Podman, in-process through picocli. */
class CliDockerFlagsTest {
    private static String image;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        image = Cli.busybox();
    }

    @Test
    void argumentsAfterTheImageAreTheCommandWithoutADoubleDash() {
        Cli.Outcome r = Cli.run("run", image, "sh", "-c", "echo \"$0 $1\"; exit 5", "-x", "--keep");

        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.out()).isEqualTo("-x --keep\n");
    }

    @Test
    void outputBytesPassThroughUnchangedIncludingCarriageReturnsAndBinary() {
        Cli.Outcome r = Cli.run("run", image, "printf", "10%%\\r50%%\\r100%%\\n\\000\\377\\376end");

        assertThat(r.exitCode()).isZero();
        byte[] expected = {'1', '0', '%', '\r', '5', '0', '%', '\r', '1', '0', '0', '%', '\n', 0, (byte) 0xff,
                (byte) 0xfe, 'e', 'n', 'd'};
        assertThat(r.stdout()).containsExactly(expected);
    }

    @Test
    void interactiveStdinReachesTheCommandAndEndsWithEndOfFile() {
        byte[] input = new byte[300_000];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i * 31);
        }

        Cli.Outcome r = Cli.runWithInput(input, "run", "-i", image, "sh", "-c", "wc -c; echo done >&2");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).isEqualTo("300000");
        assertThat(r.err()).contains("done");
    }

    @Test
    void withoutInteractiveTheCommandReadsNothing() {
        Cli.Outcome r = Cli.runWithInput("not for the command".getBytes(StandardCharsets.UTF_8),
                "run", image, "sh", "-c", "wc -c");

        assertThat(r.out().strip()).isEqualTo("0");
    }

    @Test
    void envFileAndEnvOptionsSetVariablesWithOptionsWinning() throws Exception {
        Path file = dir.resolve("ci.env");
        Files.writeString(file, "# a comment\n\nFROM_FILE=one\nBOTH=file\n");

        Cli.Outcome r = Cli.run("run", "--env-file", file.toString(), "-e", "BOTH=option", image,
                "sh", "-c", "echo $FROM_FILE $BOTH");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("one option\n");
    }

    @Test
    void missingEnvFileIsAUsageError() {
        Cli.Outcome r = Cli.run("run", "--env-file", dir.resolve("absent.env").toString(), image, "true");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--env-file").contains("cannot read it");
    }

    @Test
    void shortMemoryOptionAndCpusLimitTheContainer() {
        Cli.Outcome r = Cli.run("run", "-m", "64m", "--cpus", "0.5", image, "sh", "-c",
                "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes;"
                        + " cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().toList().get(0)).isEqualTo(String.valueOf(64 * 1024 * 1024));
        assertThat(r.out().lines().toList().get(1)).startsWith("50000");
    }

    @Test
    void rmIsAcceptedAndTheSandboxIsGoneAfterwards() {
        String label = "cli-rm-test=" + java.util.UUID.randomUUID().toString().substring(0, 8);

        Cli.Outcome r = Cli.run("run", "--rm", "--label", label, image, "true");

        assertThat(r.exitCode()).isZero();
        assertThat(Cli.containersLabelled(label)).isEmpty();
    }

    @Test
    void badPublishSyntaxNamesTheForm() {
        Cli.Outcome r = Cli.run("run", "-p", "127.0.0.1:x:80", image, "true");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("[hostIp:][hostPort:]containerPort[/tcp|udp]");
    }
}
