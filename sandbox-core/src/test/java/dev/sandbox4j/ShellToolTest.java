package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ShellTool} in one real sandbox. */
class ShellToolTest {
    private static Sandbox sandbox;

    @BeforeAll
    static void start() {
        RuntimeRequirement.require("podman");
        sandbox = Sandbox.builder().image(TestImages.busybox()).egress(EgressPolicy.allowAll())
                .label("test", "shell-tool").start();
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
        assertThat(r.render()).isEqualTo("$HOME a;b\n[exit code 0]\n");
    }

    @Test
    void longOutputKeepsItsHeadAndTailWithAMarkerOfWhatWasCut() {
        ShellTool shell = ShellTool.builder(sandbox).headBytes(20).tailBytes(30).build();

        ShellResult r = shell.run("seq 1 1000; echo 'the error at the end' >&2");

        // seq 1 1000 prints 3893 bytes; 20 are kept at the start and 30 at the end
        assertThat(r.stdoutCut()).isEqualTo(3893 - 50);
        assertThat(r.stdout()).startsWith("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n\n".substring(0, 20))
                .contains("[... 3843 bytes cut ...]\n").endsWith("995\n996\n997\n998\n999\n1000\n");
        assertThat(r.stderr()).isEqualTo("the error at the end\n");
        assertThat(r.stderrCut()).isZero();
        assertThat(r.render()).endsWith("[stderr]\nthe error at the end\n[exit code 0]\n");
    }

    @Test
    void outputWithinTheLimitsIsNotMarkedTruncated() {
        ShellTool shell = ShellTool.builder(sandbox).headBytes(50).tailBytes(50).build();

        ShellResult r = shell.run("head -c 99 /dev/zero | tr '\\0' x");

        assertThat(r.truncated()).isFalse();
        assertThat(r.stdout()).isEqualTo("x".repeat(99));
    }

    @Test
    void aCommandPastItsTimeoutComesBackAsATimedOutResultWithItsEarlierOutput() {
        ShellTool shell = ShellTool.builder(sandbox).timeout(Duration.ofSeconds(1)).build();

        ShellResult r = shell.run("echo started; sleep 30; echo never");

        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(ShellResult.TIMED_OUT_EXIT_CODE);
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(r.render()).endsWith("[timed out after 1 s: the command was killed]\n[exit code 124]\n");
    }

    @Test
    void theSandboxIsUsableAfterATimeout() {
        ShellTool shell = ShellTool.builder(sandbox).build();
        shell.run("sleep 30", Duration.ofMillis(500));

        ShellResult r = shell.run("echo still here");

        assertThat(r.stdout()).isEqualTo("still here\n");
    }
}
