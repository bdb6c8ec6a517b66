package dev.sandbox4j.internal.podman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.LogStream;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.CollectedLines;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Execs on a pseudo-terminal and followed logs, on real Podman. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanTtyAndFollowLogsTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private Sandbox shared;

    private SandboxSpec.Builder spec() {
        return Sandbox.builder().image(TestImages.busybox()).runtime("podman").pullPolicy(PullPolicy.NEVER)
                .egress(EgressPolicy.allowAll());
    }

    @BeforeAll
    void startShared() {
        RuntimeRequirement.require("podman");
        shared = spec().start();
    }

    @AfterAll
    void closeShared() {
        if (shared != null) {
            shared.close();
        }
    }

    @Test
    void execWithTtyRunsOnATerminalAndWithoutItDoesNot() {
        // given
        String script = "tty; if test -t 0 && test -t 1; then echo on-a-terminal; else echo no-terminal; fi";

        // when
        ExecResult withTty = shared.exec(Exec.builder("sh", "-c", script).tty(true).build());
        ExecResult without = shared.exec(Exec.builder("sh", "-c", script).build());

        // then
        assertThat(withTty.stdout()).startsWith("/dev/pts/").contains("on-a-terminal\r\n");
        assertThat(without.stdout()).contains("not a tty").contains("no-terminal\n").doesNotContain("on-a-terminal");
    }

    @Test
    void ttyMergesStderrIntoStdoutAndKeepsTheExitCode() {
        // when
        ExecResult r = shared.exec(Exec.builder("sh", "-c", "echo out; echo err >&2; exit 3").tty(true).build());

        // then
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\r\nerr\r\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void ttyPassesBinaryBytesThroughUnchanged() {
        // when: bytes the terminal's line discipline leaves alone (no \n), binary and escape sequences included
        ExecResult r = shared.exec(Exec.builder("printf", "\\001\\377\\033[1mbold\\033[0m\\r").tty(true).build());

        // then
        assertThat(r.stdoutBytes()).containsExactly(0x01, 0xff, 0x1b, '[', '1', 'm', 'b', 'o', 'l', 'd', 0x1b, '[',
                '0', 'm', '\r');
    }

    @Test
    void openExecWithTtyGivesAnInteractiveShellATerminal() throws Exception {
        // given
        RuntimeBackend backend = Runtimes.backend(Optional.of("podman"));
        Exec exec = Exec.builder("sh").tty(true).env("PS1", "$ ").build();

        // when
        String output;
        OptionalInt code;
        try (RunningCommand shell = backend.openExec(shared.id(), exec)) {
            OutputStream in = shell.stdin();
            in.write("test -t 0 && echo \"stdin-is-$((6 * 7))\"\nexit 7\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            output = readAll(shell.stdout());
            code = shell.waitFor(LONG);
        }

        // then: the answer is computed in the sandbox (the echo of the typed line has the unexpanded form)
        assertThat(code).hasValue(7);
        assertThat(output).contains("stdin-is-42\r\n");
    }

    @Test
    void backgroundProcessWithTtyIsRefusedWithTheFix() {
        // given
        Exec exec = Exec.builder("sleep", "1").tty(true).build();

        // when / then
        assertThatThrownBy(() -> shared.start(exec)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("leave tty unset");
    }

    @Test
    void followedLogsDeliverLinesWhileTheMainProcessRunsAndEndWithIt() throws Exception {
        // given: the second line is written only after the test has seen the first
        CollectedLines listener = new CollectedLines();
        List<String> out = listener.out();
        List<String> err = listener.err();
        try (Sandbox sandbox = spec().command("sh", "-c",
                "echo first; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo second; echo warned >&2").start();
             LogStream logs = sandbox.followLogs(listener)) {

            // when
            waitFor(() -> out.contains("first"));
            List<String> beforeGo = List.copyOf(out);
            sandbox.exec("touch", "/tmp/go");
            boolean ended = logs.awaitEnd(LONG);

            // then
            assertThat(beforeGo).containsExactly("first");
            assertThat(ended).as("the stream ends with the main process").isTrue();
            assertThat(out).containsExactly("first", "second");
            assertThat(err).containsExactly("warned");
        }
    }

    @Test
    void closingFollowedLogsStopsThemAndLeavesTheSandboxRunning() throws Exception {
        // given
        List<String> out = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = spec().command("sh", "-c", "echo up; exec sleep 600").start()) {
            LogStream logs = sandbox.followLogs(new ExecListener() {
                @Override
                public void onStdout(String line) {
                    out.add(line);
                }
            });
            waitFor(() -> out.contains("up"));

            // when
            logs.close();
            logs.close();

            // then
            assertThat(logs.awaitEnd(LONG)).isTrue();
            assertThat(sandbox.exec("echo", "still-running").stdout()).isEqualTo("still-running\n");
        }
    }

    private static String readAll(InputStream in) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        assertThat(condition.getAsBoolean()).as("condition reached within 60 s").isTrue();
    }
}
