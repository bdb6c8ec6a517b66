package dev.sandbox4j.examples.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.testing.RuntimeRequirement;
import dev.sandbox4j.testing.TestImages;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ShellTool} and {@link SandboxCodeExecutionEngine} in one real sandbox. */
class ShellToolTest {
    private static Sandbox sandbox;

    @BeforeAll
    static void start() {
        RuntimeRequirement.require("podman");
        sandbox = Sandbox.builder().image(TestImages.busybox()).label("test", "shell-tool").start();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void commandLineRunsWithShAndReturnsItsExitCodeAndBothStreams() {
        ShellTool shell = ShellTool.builder(sandbox).build();

        ShellResult r = shell.run("echo out | tr a-z A-Z; echo err >&2; exit 3");

        assertThat(r.command()).containsExactly("sh", "-c", "echo out | tr a-z A-Z; echo err >&2; exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("OUT\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.render()).isEqualTo("OUT\n[stderr]\nerr\n[exit code 3]\n");
    }

    @Test
    void argumentListRunsWithoutAShell() {
        ShellTool shell = ShellTool.builder(sandbox).build();

        ShellResult r = shell.run(List.of("echo", "$HOME", "a;b"));

        assertThat(r.stdout()).isEqualTo("$HOME a;b\n");
        assertThat(r.succeeded()).isTrue();
    }

    @Test
    void outputBeyondTheCapIsCutAndTheDroppedBytesAreCounted() {
        ShellTool shell = ShellTool.builder(sandbox).maxOutputBytes(100).build();

        ShellResult r = shell.run("head -c 1000 /dev/zero | tr '\\0' x; head -c 250 /dev/zero | tr '\\0' y >&2");

        assertThat(r.stdout()).isEqualTo("x".repeat(100));
        assertThat(r.stderr()).isEqualTo("y".repeat(100));
        assertThat(r.droppedBytes()).isEqualTo(900 + 150);
        assertThat(r.render()).endsWith("[output truncated: each stream keeps its first 100 bytes; 1050 bytes dropped]\n");
    }

    @Test
    void outputWithinTheCapIsNotMarkedTruncated() {
        ShellTool shell = ShellTool.builder(sandbox).maxOutputBytes(100).build();

        ShellResult r = shell.run("head -c 100 /dev/zero | tr '\\0' x");

        assertThat(r.truncated()).isFalse();
        assertThat(r.render()).doesNotContain("truncated");
    }

    @Test
    void aCommandPastItsTimeoutComesBackAsATimedOutResultWithItsEarlierOutput() {
        ShellTool shell = ShellTool.builder(sandbox).timeout(Duration.ofSeconds(1)).build();

        ShellResult r = shell.run("echo started; sleep 30; echo never");

        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(ShellResult.TIMED_OUT_EXIT_CODE);
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(r.render()).endsWith("[timed out after 1 s: the command was killed]\n");
    }

    @Test
    void theSandboxIsUsableAfterATimeout() {
        ShellTool shell = ShellTool.builder(sandbox).build();
        shell.run("sleep 30", Duration.ofMillis(500));

        ShellResult r = shell.run("echo still here");

        assertThat(r.stdout()).isEqualTo("still here\n");
    }

    @Test
    void codeEngineFallsBackToShWhenTheImageHasNoPython() {
        SandboxCodeExecutionEngine engine = SandboxCodeExecutionEngine.detect(ShellTool.builder(sandbox).build());

        String output = engine.execute("x=6; echo $((x * 7))");

        assertThat(engine.interpreter()).containsExactly("sh", "-s");
        assertThat(output).isEqualTo("42\n");
    }

    @Test
    void codeEngineReturnsErrorsWithTheExitCodeForTheModel() {
        CodeExecutionEngine engine = SandboxCodeExecutionEngine.detect(ShellTool.builder(sandbox).build());

        String output = engine.execute("echo partial; no-such-command; exit 5");

        assertThat(output).startsWith("partial\n[stderr]\n").contains("no-such-command").endsWith("[exit code 5]\n");
    }

    @Test
    void codeEngineRunsTheGivenInterpreterWithCodeOnStdin() {
        CodeExecutionEngine engine = new SandboxCodeExecutionEngine(ShellTool.builder(sandbox).build(),
                List.of("awk", "-f", "/dev/stdin"), Duration.ofSeconds(10));

        String output = engine.execute("BEGIN { print 6 * 7 }");

        assertThat(output).isEqualTo("42\n");
    }
}
