package dev.sandbox4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.contract.CollectedLines;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.internal.DefaultSandbox;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.RuntimeBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec sessions against real Podman: what the framing must survive (signals, marker-looking output, missing
 * newlines, NUL bytes, binary data), concurrency, timeouts that kill whole process groups, and channels that die.
 * Most tests drive an {@link ExecSessions} of their own on a shared sandbox, so channel counts are exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanExecSessionTest {
    private Sandbox sandbox;
    private RuntimeBackend backend;
    private ExecSessions sessions;
    @TempDir
    Path temp;

    @BeforeAll
    void startSandbox() {
        RuntimeRequirement.require("podman");
        sandbox = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).start();
        backend = Runtimes.backend(Optional.of("podman"));
    }

    @AfterAll
    void closeSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @BeforeEach
    void newSessions() {
        sessions = new ExecSessions(backend, sandbox.id(), 1);
    }

    @AfterEach
    void closeSessions() {
        sessions.close();
    }

    private ExecResult run(Exec exec) {
        return sessions.exec(exec, ExecListener.NONE).orElseThrow(() -> new AssertionError("no session took " + exec));
    }

    private ExecResult run(String... command) {
        return run(Exec.of(command));
    }

    private static ExecResult plain(Sandbox sandbox, String... command) {
        return sandbox.exec(Exec.builder(command).mode(ExecMode.PLAIN).build());
    }

    @Test
    void commandsKilledBySignalsExitWith128PlusTheSignal() {
        assertThat(run("sh", "-c", "kill -KILL $$").exitCode()).isEqualTo(137);
        assertThat(run("sh", "-c", "kill -TERM $$").exitCode()).isEqualTo(143);
        assertThat(run("sh", "-c", "kill -INT $$").exitCode()).isEqualTo(130);
        assertThat(sessions.channelsOpened()).isEqualTo(1);
    }

    @Test
    void outputThatLooksLikeFramingMarkersIsJustOutput() {
        String fake = "S4J00000000000000000000000000000000 S\nP 1\n\nS4J00000000000000000000000000000000 E 0\n"
                + "\nS4J E 0\n" + ExecSessions.newToken() + " E 0\n";

        ExecResult r = run("printf", "%s", fake);
        ExecResult next = run("echo", "next");

        assertThat(r.stdout()).isEqualTo(fake);
        assertThat(r.exitCode()).isZero();
        assertThat(next.stdout()).isEqualTo("next\n");
    }

    @Test
    void outputWithoutTrailingNewlineArrivesExactlyAndAsALastLine() {
        CollectedLines listener = new CollectedLines();
        List<String> out = listener.out();
        List<String> err = listener.err();

        ExecResult r = sessions.exec(Exec.of("sh", "-c", "printf 'a\\nb'; printf 'e' >&2"), listener).orElseThrow();

        assertThat(r.stdout()).isEqualTo("a\nb");
        assertThat(r.stderr()).isEqualTo("e");
        assertThat(out).containsExactly("a", "b");
        assertThat(err).containsExactly("e");
    }

    @Test
    void nulBytesAndEveryByteValueArriveUnchanged() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        for (int i = 0; i < 256; i++) {
            data[i] = (byte) i;
        }
        Path blob = Files.write(temp.resolve("blob.bin"), data);
        sandbox.copyTo(blob, "/tmp/blob.bin");

        ExecResult nul = run("printf", "a\\000b\\000");
        ExecResult binary = run("cat", "/tmp/blob.bin");

        assertThat(nul.stdoutBytes()).containsExactly('a', 0, 'b', 0);
        assertThat(binary.stdoutBytes()).isEqualTo(data);
    }

    @Test
    void binaryStdinReachesTheCommandExactly() throws Exception {
        byte[] data = new byte[300_000];
        new Random(11).nextBytes(data);

        ExecResult r = run(Exec.builder("sha256sum").stdin(data).build());
        ExecResult none = run("cat");

        assertThat(r.stdout().split(" ")[0]).isEqualTo(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
        assertThat(none.stdout()).isEmpty();
    }

    @Test
    void eightThreadsRunningFiftyExecsEachAllGetTheirOwnResults() throws Exception {
        ExecSessions pool = new ExecSessions(backend, sandbox.id());
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(threads.submit(() -> {
                    List<String> problems = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        String tag = thread + "-" + i;
                        Exec exec = Exec.builder("sh", "-c", "read x; echo \"out $1 $x\"; echo \"err $1\" >&2; exit $2",
                                "sh", tag, Integer.toString(i % 7)).stdin("in-" + tag + "\n").build();
                        ExecResult r = pool.exec(exec, ExecListener.NONE).orElseThrow();
                        if (!r.stdout().equals("out " + tag + " in-" + tag + "\n") || !r.stderr().equals("err " + tag + "\n")
                                || r.exitCode() != i % 7) {
                            problems.add(tag + ": " + r.exitCode() + " " + r.stdout() + " " + r.stderr());
                        }
                    }
                    return problems;
                }));
            }
            List<String> problems = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                problems.addAll(f.get(120, TimeUnit.SECONDS));
            }

            assertThat(problems).isEmpty();
            assertThat(pool.execCount()).isEqualTo(400);
            assertThat(pool.channelsOpened()).isBetween(1L, (long) ExecSessions.DEFAULT_MAX_CHANNELS);
        } finally {
            threads.shutdownNow();
            pool.close();
        }
    }

    @Test
    void aShellKilledFromOutsideIsReplacedByTheNextExec() {
        assertThat(run("echo", "first").stdout()).isEqualTo("first\n");

        plain(sandbox, "sh", "-c", "for p in /proc/[0-9]*; do "
                + "if [ \"$(tr '\\000' ' ' < $p/cmdline 2>/dev/null)\" = '/bin/sh -s ' ]; then kill -9 ${p#/proc/}; fi; done")
                .requireSuccess();
        ExecResult after = run("echo", "second");

        assertThat(after.stdout()).isEqualTo("second\n");
        assertThat(sessions.channelsOpened()).isEqualTo(2);
    }

    @Test
    void aShellThatDiesMidCommandFailsThatExecWithoutHangingAndTheNextWorks() {
        long t0 = System.nanoTime();

        assertThatThrownBy(() -> run("sh", "-c", "echo partial; kill -9 $PPID; sleep 30"))
                .isInstanceOf(SandboxException.class).hasMessageContaining("died");

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(run("echo", "again").stdout()).isEqualTo("again\n");
    }

    @Test
    void aClosedChannelProcessIsReplacedByTheNextExec() throws Exception {
        run("true");
        DefaultSandbox own = (DefaultSandbox) sandbox;
        own.exec("true");
        long opened = own.sessions().channelsOpened();
        // Kill the host side (the podman exec CLI process) of every channel of the sandbox's own sessions.
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            if (p.info().commandLine().orElse("").contains("exec --interactive " + sandbox.id() + " /bin/sh -s")) {
                p.destroyForcibly();
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        }

        ExecResult r = own.exec("echo", "recovered");

        assertThat(r.stdout()).isEqualTo("recovered\n");
        assertThat(own.sessions().channelsOpened()).isEqualTo(opened + 1);
    }

    @Test
    void timeoutKillsTheWholeProcessTreeAndTheChannelStaysUsable() {
        run("true");
        Exec slow = Exec.builder("sh", "-c", "sleep 321 & setsid sleep 322 & sleep 323").timeout(Duration.ofSeconds(1))
                .build();
        long t0 = System.nanoTime();

        assertThatThrownBy(() -> run(slow)).isInstanceOf(SandboxTimeoutException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(run("sh", "-c", "ps -o args | grep '^sleep 32[123]' || true").stdout()).isEmpty();
        assertThat(run("echo", "same channel").stdout()).isEqualTo("same channel\n");
        assertThat(sessions.channelsOpened()).isEqualTo(1);
    }

    @Test
    void timeoutKillsADescendantThatClearedItsEnvironment() {
        run("true");
        Exec slow = Exec.builder("sh", "-c", "env -i /bin/sleep 324 & env -i /bin/sh -c 'sleep 325 & wait' & wait")
                .timeout(Duration.ofSeconds(1)).build();

        assertThatThrownBy(() -> run(slow)).isInstanceOf(SandboxTimeoutException.class);

        assertThat(run("sh", "-c", "ps -o args | grep -E '^(/bin/)?sleep 32[45]' || true").stdout()).isEmpty();
        assertThat(run("echo", "same channel").stdout()).isEqualTo("same channel\n");
    }

    @Test
    void timeoutKeepsWhatTheCommandPrintedBeforeIt() {
        Exec slow = Exec.builder("sh", "-c", "echo before; echo warn >&2; sleep 30").timeout(Duration.ofMillis(800))
                .build();

        assertThatThrownBy(() -> run(slow)).isInstanceOfSatisfying(SandboxTimeoutException.class, e -> {
            assertThat(e.partialStdout()).isEqualTo("before\n");
            assertThat(e.partialStderr()).isEqualTo("warn\n");
        });
    }

    @Test
    void outputLeftByABackgroundChildOfAnEarlierCommandDoesNotLeakIntoTheNext() throws InterruptedException {
        run("sh", "-c", "(sleep 0.3; echo late) & echo now");
        Thread.sleep(600);

        ExecResult next = run("echo", "clean");

        assertThat(next.stdout()).isEqualTo("clean\n");
    }

    @Test
    void commandsDoNotReadTheChannelsStdin() {
        ExecResult r = run("sh", "-c", "cat; echo after");
        ExecResult next = run("echo", "ok");

        assertThat(r.stdout()).isEqualTo("after\n");
        assertThat(next.stdout()).isEqualTo("ok\n");
    }

    @Test
    void commandsInASessionIgnoreNoMoreSignalsThanPlainExecs() {
        ExecResult session = run("grep", "SigIgn", "/proc/self/status");
        ExecResult plain = plain(sandbox, "grep", "SigIgn", "/proc/self/status");

        assertThat(session.stdout()).isEqualTo(plain.stdout()).startsWith("SigIgn:");
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anExecFromAnOutputListenerRunsOnThePlainPathInsteadOfWaitingForItself() {
        // given
        DefaultSandbox own = (DefaultSandbox) sandbox;
        java.util.concurrent.atomic.AtomicReference<ExecResult> inner = new java.util.concurrent.atomic.AtomicReference<>();
        ExecListener listener = new ExecListener() {
            @Override
            public void onStdout(String line) {
                inner.set(own.exec("echo", "inner " + line));
            }
        };

        // when
        ExecResult outer = own.exec(Exec.of("echo", "outer"), listener);

        // then
        assertThat(outer.stdout()).isEqualTo("outer\n");
        assertThat(inner.get().stdout()).isEqualTo("inner outer\n");
    }

    @Test
    void execsForAnotherUserTakeThePlainPath() {
        DefaultSandbox own = (DefaultSandbox) sandbox;
        long before = own.sessions().execCount();

        ExecResult r = own.exec(Exec.builder("id", "-u").user("1000").build(), ExecListener.NONE);

        assertThat(r.stdout()).isEqualTo("1000\n");
        assertThat(own.sessions().execCount()).isEqualTo(before);
    }

    @Test
    void aSessionExecIsMuchFasterThanAPlainOne() {
        DefaultSandbox own = (DefaultSandbox) sandbox;
        own.exec("true");
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            own.exec("true");
        }
        long session = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            plain(own, "true");
        }
        long plain = (System.nanoTime() - t0) * 4;

        assertThat(session).as("20 session execs vs 20 plain ones (extrapolated)").isLessThan(plain / 5);
    }
}
