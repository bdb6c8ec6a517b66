package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code run -t}, {@code exec -t}, and {@code logs -f/--tail} against real Podman. */
class CliTtyAndLogsTest {
    @RegisterExtension
    final NamedSandbox named = new NamedSandbox("cli-tty");
    private final String name = named.name();

    @Test
    void runWithTtyGivesTheCommandATerminalAndMergesStderrIntoStdout() {
        // given
        String script = "tty; if test -t 1; then echo on-a-terminal; fi; echo complaint >&2";

        // when
        Cli.Outcome withTty = Cli.run("run", "-t", named.image(), "sh", "-c", script);
        Cli.Outcome without = Cli.run("run", named.image(), "sh", "-c", script);

        // then
        assertThat(withTty.exitCode()).as(withTty.err()).isZero();
        assertThat(withTty.out()).startsWith("/dev/pts/").contains("on-a-terminal\r\n").contains("complaint\r\n");
        assertThat(withTty.err()).doesNotContain("complaint");
        assertThat(without.out()).isEqualTo("not a tty\n");
        assertThat(without.err()).contains("complaint\n");
    }

    @Test
    void runWithInteractiveTtyDrivesAShellFromPipedInput() {
        // given: the answer is computed in the sandbox; the terminal echoes the typed line in its unexpanded form
        byte[] typed = "echo \"answer-$((6 * 7))\"\nexit 5\n".getBytes(StandardCharsets.UTF_8);

        // when
        Cli.Outcome r = Cli.runWithInput(typed, "run", "-it", named.image(), "sh");

        // then
        assertThat(r.exitCode()).as(r.err()).isEqualTo(5);
        assertThat(r.out()).contains("answer-42\r\n");
    }

    @Test
    void runWithTtyPassesBinaryBytesThroughUnchanged() {
        // when: bytes a terminal leaves alone (no \n): control, high and escape bytes
        Cli.Outcome r = Cli.run("run", "-t", named.image(), "printf", "\\001\\377\\033[1mbold\\033[0m\\r");

        // then
        assertThat(r.stdout()).containsExactly(0x01, 0xff, 0x1b, '[', '1', 'm', 'b', 'o', 'l', 'd', 0x1b, '[', '0',
                'm', '\r');
    }

    @Test
    void jsonWithTtyReportsTheTerminalsOutputAsStdout() throws Exception {
        // when
        Cli.Outcome r = Cli.run("run", "--json", "-t", named.image(), "sh", "-c",
                "test -t 1 && echo terminal; echo e >&2");

        // then
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(json.get("stdout").asText()).isEqualTo("terminal\r\ne\r\n");
        assertThat(json.get("stderr").asText()).isEmpty();
    }

    @Test
    void execWithTtyRunsOnATerminalInAKeptSandbox() {
        // given
        named.keep();

        // when
        Cli.Outcome r = Cli.run("exec", "-t", name, "sh", "-c", "test -t 0 && test -t 1 && echo terminal; exit 4");

        // then
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.out()).isEqualTo("terminal\r\n");
    }

    @Test
    void ttyWithDetachIsRefusedWithTheWayToGetATerminal() {
        // when
        Cli.Outcome r = Cli.run("run", "-d", "-t", "--name", name, named.image());

        // then
        assertThat(r.exitCode()).isEqualTo(SandboxCli.EXIT_USAGE);
        assertThat(r.err()).contains("-t needs the command's lifetime").contains("sandbox exec -it NAME sh");
    }

    @Test
    void logsFollowPrintsLinesAsTheyAreWrittenAndEndsWhenTheMainProcessExits() throws Exception {
        // given: the second line is written only once the test has seen the first come through
        named.keep("sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo second; echo warned >&2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        // when
        CompletableFuture<Integer> following = CompletableFuture.supplyAsync(() -> SandboxCli.commandLine(
                new ByteArrayInputStream(new byte[0]), out, err).execute("logs", "-f", name));
        waitFor(out, "first\n");
        String beforeGo = out.toString(StandardCharsets.UTF_8);
        Cli.Outcome go = Cli.run("exec", name, "touch", "/tmp/go");
        int code = following.get(60, TimeUnit.SECONDS);

        // then
        assertThat(go.exitCode()).as(go.err()).isZero();
        assertThat(beforeGo).isEqualTo("first\n");
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("warned\n");
    }

    @Test
    void logsTailPrintsOnlyTheLastLinesWithAndWithoutFollow() throws Exception {
        // given
        named.keep("sh", "-c", "echo a; echo b; echo c; touch /tmp/written; while [ ! -e /tmp/go ]; do sleep 0.1; done");
        for (int i = 0; i < 600 && Cli.run("exec", name, "test", "-e", "/tmp/written").exitCode() != 0; i++) {
            Thread.sleep(100);
        }
        ByteArrayOutputStream followed = new ByteArrayOutputStream();

        // when
        Cli.Outcome once = Cli.run("logs", "--tail", "2", name);
        CompletableFuture<Integer> following = CompletableFuture.supplyAsync(() -> SandboxCli.commandLine(
                new ByteArrayInputStream(new byte[0]), followed, new ByteArrayOutputStream())
                .execute("logs", "-f", "-n", "1", name));
        waitFor(followed, "c\n");
        Cli.run("exec", name, "touch", "/tmp/go");
        int code = following.get(60, TimeUnit.SECONDS);

        // then
        assertThat(once.out()).isEqualTo("b\nc\n");
        assertThat(code).isZero();
        assertThat(followed.toString(StandardCharsets.UTF_8)).isEqualTo("c\n");
    }

    @Test
    void negativeTailIsAUsageError() {
        // when
        Cli.Outcome r = Cli.run("logs", "--tail", "-1", name);

        // then
        assertThat(r.exitCode()).isEqualTo(SandboxCli.EXIT_USAGE);
        assertThat(r.err()).contains("give 0 or more lines");
    }

    @Test
    void lastLinesCountsALastLineWithoutTerminator() {
        assertThat(LogsCommand.lastLines("a\nb\nc\n", 2)).isEqualTo("b\nc\n");
        assertThat(LogsCommand.lastLines("a\nb\nc", 2)).isEqualTo("b\nc");
        assertThat(LogsCommand.lastLines("a\nb\n", 5)).isEqualTo("a\nb\n");
        assertThat(LogsCommand.lastLines("a\nb\n", 0)).isEmpty();
        assertThat(LogsCommand.lastLines("", 3)).isEmpty();
    }

    private static void waitFor(ByteArrayOutputStream out, String text) throws InterruptedException {
        for (int i = 0; i < 600 && !out.toString(StandardCharsets.UTF_8).contains(text); i++) {
            Thread.sleep(100);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).as("output within 60 s").contains(text);
    }
}
