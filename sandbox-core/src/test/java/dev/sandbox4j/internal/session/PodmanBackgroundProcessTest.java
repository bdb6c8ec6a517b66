package dev.sandbox4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.BackgroundProcess;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxClosedException;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Background processes ({@link Sandbox#start(Exec, ExecListener)}) against real Podman. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanBackgroundProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private Sandbox sandbox;

    @BeforeAll
    void startSandbox() {
        RuntimeRequirement.require("podman");
        sandbox = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).start();
    }

    @AfterAll
    void closeSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** Collects stdout lines, and stderr lines prefixed with "err:", as they arrive. */
    private static final class Lines implements ExecListener {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        @Override
        public void onStdout(String line) {
            queue.add(line);
        }

        @Override
        public void onStderr(String line) {
            queue.add("err:" + line);
        }

        String next() throws InterruptedException {
            String line = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(line).as("a line within " + WAIT).isNotNull();
            return line;
        }
    }

    private int running(String pattern) {
        return Integer.parseInt(sandbox.exec("sh", "-c", "ps -o args | grep -c '^" + pattern + "' || true")
                .stdout().strip());
    }

    @Test
    void outputStreamsWhileTheProcessRuns() throws InterruptedException {
        Lines lines = new Lines();
        try (BackgroundProcess p = sandbox.start(Exec.of("sh", "-c", "echo ready; echo warming >&2; sleep 300"), lines)) {
            String first = lines.next();
            String second = lines.next();

            assertThat(p.isAlive()).isTrue();
            assertThat(p.exitCode()).isEmpty();
            assertThat(java.util.List.of(first, second)).containsExactlyInAnyOrder("ready", "err:warming");
        }
    }

    @Test
    void stdinWrittenLaterReachesTheProcessAndClosingItEndsIt() throws InterruptedException {
        Lines lines = new Lines();
        try (BackgroundProcess p = sandbox.start(
                Exec.of("sh", "-c", "while read l; do echo \"got $l\"; done; echo eof; exit 4"), lines)) {
            p.writeStdin("one\n");
            assertThat(lines.next()).isEqualTo("got one");
            p.writeStdin("two\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(lines.next()).isEqualTo("got two");

            p.closeStdin();
            ExecResult r = p.waitFor(WAIT).orElseThrow();

            assertThat(r.exitCode()).isEqualTo(4);
            assertThat(r.stdout()).isEqualTo("got one\ngot two\neof\n");
            assertThat(p.exitCode()).hasValue(4);
            assertThat(p.isAlive()).isFalse();
        }
    }

    @Test
    void waitForReturnsEmptyWhileRunningAndTheResultAfterwards() {
        try (BackgroundProcess p = sandbox.start(Exec.of("sh", "-c", "sleep 1; echo done; exit 3"))) {
            assertThat(p.waitFor(Duration.ofMillis(100))).isEmpty();

            ExecResult r = p.waitFor(WAIT).orElseThrow();

            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("done\n");
        }
    }

    @Test
    void termSignalEndsTheProcessWith143() {
        try (BackgroundProcess p = sandbox.start(Exec.of("sleep", "331"))) {
            p.signal("TERM");

            assertThat(p.waitFor(WAIT).orElseThrow().exitCode()).isEqualTo(143);
        }
    }

    @Test
    void signalsReachTheWholeProcessGroupAndTrapsSeeThem() throws InterruptedException {
        Lines lines = new Lines();
        try (BackgroundProcess p = sandbox.start(Exec.of("sh", "-c",
                "trap 'echo caught; exit 7' INT; echo armed; while :; do sleep 1; done"), lines)) {
            assertThat(lines.next()).isEqualTo("armed");

            p.signal("SIGINT");

            assertThat(p.waitFor(WAIT).orElseThrow().exitCode()).isEqualTo(7);
            assertThat(lines.next()).isEqualTo("caught");
        }
    }

    @Test
    void killEndsTheProcessAndItsChildrenWith137() throws InterruptedException {
        Lines lines = new Lines();
        try (BackgroundProcess p = sandbox.start(Exec.of("sh", "-c", "sleep 332 & echo started; sleep 333"), lines)) {
            assertThat(lines.next()).isEqualTo("started");
            assertThat(running("sleep 33[23]")).isEqualTo(2);

            p.kill();

            assertThat(p.waitFor(WAIT).orElseThrow().exitCode()).isEqualTo(137);
            assertThat(running("sleep 33[23]")).isZero();
        }
    }

    @Test
    void closingTheHandleKillsTheProcess() throws InterruptedException {
        Lines lines = new Lines();
        BackgroundProcess p = sandbox.start(Exec.of("sh", "-c", "echo up; exec sleep 334"), lines);
        assertThat(lines.next()).isEqualTo("up");

        p.close();
        p.close();

        assertThat(p.isAlive()).isFalse();
        assertThat(running("sleep 334")).isZero();
    }

    @Test
    void environmentWorkdirAndInitialStdinApply() {
        Exec exec = Exec.builder("sh", "-c", "echo \"$X\"; pwd; cat").env("X", "x value").workdir("/tmp")
                .stdin("from stdin\n").build();
        try (BackgroundProcess p = sandbox.start(exec)) {
            p.closeStdin();

            ExecResult r = p.waitFor(WAIT).orElseThrow();

            assertThat(r.stdout()).isEqualTo("x value\n/tmp\nfrom stdin\n");
        }
    }

    @Test
    void anotherUserRunsTheProcess() {
        try (BackgroundProcess p = sandbox.start(Exec.builder("id", "-u").user("1000").build())) {
            assertThat(p.waitFor(WAIT).orElseThrow().stdout()).isEqualTo("1000\n");
        }
    }

    @Test
    void missingProgramExitsWith127() {
        try (BackgroundProcess p = sandbox.start(Exec.of("no-such-program-here"))) {
            assertThat(p.waitFor(WAIT).orElseThrow().exitCode()).isEqualTo(127);
        }
    }

    @Test
    void unknownSignalNamesAreATypedError() {
        try (BackgroundProcess p = sandbox.start(Exec.of("sleep", "335"))) {
            assertThatThrownBy(() -> p.signal("TERM; reboot")).isInstanceOf(SandboxConfigException.class);
            assertThat(p.isAlive()).isTrue();
        }
    }

    @Test
    void closingTheSandboxClosesItsBackgroundProcesses() throws InterruptedException {
        Sandbox own = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).start();
        Lines lines = new Lines();
        BackgroundProcess p;
        try {
            p = own.start(Exec.of("sh", "-c", "echo up; exec sleep 336"), lines);
            assertThat(lines.next()).isEqualTo("up");
        } finally {
            own.close();
        }

        assertThat(p.isAlive()).isFalse();
        assertThatThrownBy(() -> own.start(Exec.of("true"))).isInstanceOf(SandboxClosedException.class);
    }
}
