package dev.sandbox4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real processes through the one class that starts them. Needs a POSIX /bin/sh and coreutils. */
@Timeout(30)
class SystemCommandRunnerTest {
    private static final int HUNDRED_MIB = 100 * 1024 * 1024;

    private final CommandRunner runner = SystemCommandRunner.INSTANCE;

    private static Command.Builder sh(String script) {
        return Command.builder(List.of("/bin/sh", "-c", script)).timeout(Duration.ofSeconds(20));
    }

    /**
     * Whether a process is still running. A killed process whose parent is gone can stay a zombie here, because
     * PID 1 of some machines (this one included) never reaps orphans; {@code ProcessHandle.isAlive()} calls a
     * zombie alive, so /proc's state decides on Linux.
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    private static boolean goneWithin(long pid, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (running(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static void killIfLeft(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static long firstNumber(String text) {
        return Long.parseLong(text.strip().lines().findFirst().orElseThrow().strip());
    }

    @Test
    void exitCodeStdoutAndStderrAreKeptApart() {
        // given
        Command command = sh("echo hi; echo oops >&2; exit 3").build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
        assertThat(r.droppedBytes()).isZero();
    }

    @Test
    void hundredMebibytesOnBothStreamsAtOnceArriveWithoutDeadlock() {
        // given
        Command command = sh("head -c " + HUNDRED_MIB + " /dev/zero & yes 0123456789abcdef | head -c " + HUNDRED_MIB
                + " >&2; wait").build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutBytes()).hasSize(HUNDRED_MIB);
        assertThat(r.stderrBytes()).hasSize(HUNDRED_MIB);
        assertThat(r.droppedBytes()).isZero();
    }

    @Test
    void characterSplitAcrossTwoWritesArrivesWholeInTheLineListener() {
        // given: the euro sign is E2 82 AC; the process writes two bytes, pauses, then writes the third
        List<String> lines = new CopyOnWriteArrayList<>();
        Command command = sh("printf '\\342\\202'; sleep 0.3; printf '\\254 done\\n'").stdoutLines(lines::add).build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.stdoutBytes()).containsExactly(0xE2, 0x82, 0xAC, ' ', 'd', 'o', 'n', 'e', '\n');
        assertThat(lines).containsExactly("\u20ac done");
    }

    @Test
    void lastLineWithoutNewlineIsDelivered() {
        // given
        List<String> lines = new CopyOnWriteArrayList<>();
        Command command = sh("printf 'first\\nlast'").stdoutLines(lines::add).build();

        // when
        runner.run(command);

        // then
        assertThat(lines).containsExactly("first", "last");
    }

    @Test
    void stderrLinesReachTheirOwnListener() {
        // given
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        Command command = sh("echo to-out; echo to-err >&2").stdoutLines(out::add).stderrLines(err::add).build();

        // when
        runner.run(command);

        // then
        assertThat(out).containsExactly("to-out");
        assertThat(err).containsExactly("to-err");
    }

    @Test
    void stdinLargerThanThePipeBufferIsFedCompletely() {
        // given
        byte[] input = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(input);
        Command command = Command.builder(List.of("cat")).stdin(input).timeout(Duration.ofSeconds(20)).build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdoutBytes()).isEqualTo(input);
    }

    @Test
    void timeoutThrowsWithPartialOutputAndKillsTheWholeTree() throws InterruptedException {
        // given
        Command command = sh("sleep 300 & echo $!; echo waiting >&2; wait")
                .timeout(Duration.ofSeconds(1)).grace(Duration.ofMillis(500)).build();

        // when
        SandboxTimeoutException e = catchThrowableOfType(SandboxTimeoutException.class, () -> runner.run(command));

        // then
        assertThat(e).isNotNull();
        assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(e.partialStderr()).isEqualTo("waiting\n");
        long child = firstNumber(e.partialStdout());
        try {
            assertThat(goneWithin(child, Duration.ofSeconds(2))).as("background sleep %d is gone", child).isTrue();
        } finally {
            killIfLeft(child);
        }
    }

    @Test
    void backgroundProcessHoldingTheOutputOpenCannotStretchTheTimeLimit() {
        // given: the background sleep inherits stdout and keeps it open for 10 s after the shell exits. The JDK
        // closes a dead process's pipe only when no read is in progress; the pause makes sure one is. Should the
        // JDK close it anyway, the result comes back early, which is fine too: the call must not wait for sleep.
        Command command = sh("sleep 10 & echo $!; sleep 0.3").timeout(Duration.ofSeconds(1)).build();
        long start = System.nanoTime();

        // when
        String stdout;
        try {
            stdout = runner.run(command).stdout();
        } catch (SandboxTimeoutException e) {
            assertThat(e).hasMessageContaining("exited with 0 but its output stayed open");
            stdout = e.partialStdout();
        }

        // then
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        killIfLeft(firstNumber(stdout));
        assertThat(took).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void childThatIgnoresSigtermIsKilledEvenWhenItsParentDiesOnIt() throws InterruptedException {
        // given: the parent shell dies on SIGTERM at once; its child ignores SIGTERM
        Command command = sh("(trap '' TERM; exec sleep 300) & echo $!; wait")
                .timeout(Duration.ofMillis(500)).grace(Duration.ofMillis(300)).build();

        // when
        SandboxTimeoutException e = catchThrowableOfType(SandboxTimeoutException.class, () -> runner.run(command));

        // then
        assertThat(e).isNotNull();
        long child = firstNumber(e.partialStdout());
        try {
            assertThat(goneWithin(child, Duration.ofSeconds(2))).as("SIGTERM-proof child %d is gone", child).isTrue();
        } finally {
            killIfLeft(child);
        }
    }

    @Test
    void processThatIgnoresSigtermIsKilledAfterTheGrace() throws InterruptedException {
        // given
        Duration timeout = Duration.ofMillis(500);
        Duration grace = Duration.ofMillis(700);
        Command command = sh("trap '' TERM; echo $$; while :; do sleep 0.05; done").timeout(timeout).grace(grace).build();
        long start = System.nanoTime();

        // when
        SandboxTimeoutException e = catchThrowableOfType(SandboxTimeoutException.class, () -> runner.run(command));

        // then
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(e).isNotNull();
        long shell = firstNumber(e.partialStdout());
        try {
            assertThat(took).as("SIGTERM was ignored, so the kill waited for the grace")
                    .isGreaterThanOrEqualTo(timeout.plus(grace).minusMillis(50));
            assertThat(goneWithin(shell, Duration.ofSeconds(2))).as("shell %d is gone", shell).isTrue();
        } finally {
            killIfLeft(shell);
        }
    }

    @Test
    void interruptKillsTheProcessPromptlyAndKeepsTheInterruptFlag() throws InterruptedException {
        // given
        AtomicLong pid = new AtomicLong();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        Command command = sh("echo $$; exec sleep 300").stdoutLines(line -> {
            pid.set(Long.parseLong(line.strip()));
            started.countDown();
        }).build();
        Thread caller = new Thread(() -> {
            try {
                runner.run(command);
            } catch (Throwable t) {
                thrown.set(t);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        }, "interrupt-test-caller");
        caller.start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        // when
        long interruptedAt = System.nanoTime();
        caller.interrupt();
        caller.join(5000);

        // then
        try {
            assertThat(caller.isAlive()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - interruptedAt)).isLessThan(Duration.ofSeconds(2));
            assertThat(thrown.get()).isInstanceOf(SandboxException.class)
                    .isNotInstanceOf(SandboxTimeoutException.class)
                    .hasMessageContaining("interrupted");
            assertThat(flagAfter).isTrue();
            assertThat(goneWithin(pid.get(), Duration.ofSeconds(2))).isTrue();
        } finally {
            killIfLeft(pid.get());
        }
    }

    @Test
    void outputBeyondTheCapIsDroppedAndCounted() {
        // given
        Command command = sh("head -c 10000 /dev/zero").maxOutputBytes(1000).build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.stdoutBytes()).hasSize(1000);
        assertThat(r.droppedBytes()).isEqualTo(9000);
    }

    @Test
    void droppedBytesOfBothStreamsAreAddedUp() {
        // given
        Command command = sh("head -c 300 /dev/zero; head -c 500 /dev/zero >&2").maxOutputBytes(100).build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.stdoutBytes()).hasSize(100);
        assertThat(r.stderrBytes()).hasSize(100);
        assertThat(r.droppedBytes()).isEqualTo(200 + 400);
    }

    @Test
    void variableSetInTheCommandReachesTheChild() {
        // given
        Command command = Command.builder(List.of("/usr/bin/env")).env("SB4J_PROBE", "x y=z").build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.stdout().lines()).contains("SB4J_PROBE=x y=z");
    }

    @Test
    void unsetVariableIsRemovedFromWhatTheChildInherits() {
        // given
        assertThat(System.getenv("HOME")).as("precondition: this JVM has HOME to inherit").isNotNull();
        Command command = Command.builder(List.of("/usr/bin/env")).unsetEnv("HOME").build();

        // when
        CommandResult r = runner.run(command);

        // then
        assertThat(r.stdout().lines()).noneMatch(l -> l.startsWith("HOME=")).anyMatch(l -> l.startsWith("PATH="));
    }

    @Test
    void missingProgramIsASandboxExceptionNamingIt() {
        // given
        Command command = Command.builder(List.of("sandbox4j-no-such-program-7f3a", "--x")).build();

        // when / then
        assertThatThrownBy(() -> runner.run(command))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("cannot start `sandbox4j-no-such-program-7f3a --x`");
    }

    @Test
    void startedCommandStreamsBothWaysAndCloseKillsItsTree() throws IOException, InterruptedException {
        // given
        Command command = Command.builder(List.of("/bin/sh", "-c", "sleep 300 & echo $!; exec cat"))
                .grace(Duration.ofMillis(500)).build();
        RunningCommand running = runner.start(command);
        BufferedReader out = new BufferedReader(new InputStreamReader(running.stdout(), StandardCharsets.UTF_8));
        long child = Long.parseLong(out.readLine().strip());
        try {
            OutputStream in = running.stdin();
            in.write("ping \u20ac\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertThat(out.readLine()).isEqualTo("ping \u20ac");
            assertThat(running.isAlive()).isTrue();

            // when
            running.close();

            // then
            assertThat(running.isAlive()).isFalse();
            assertThat(goneWithin(running.pid(), Duration.ofSeconds(2))).isTrue();
            assertThat(goneWithin(child, Duration.ofSeconds(2))).as("background sleep %d is gone", child).isTrue();
        } finally {
            running.close();
            killIfLeft(child);
        }
    }

    @Test
    void closingAStartedCommandTwiceIsHarmless() {
        // given
        RunningCommand running = runner.start(Command.builder(List.of("cat")).build());
        running.close();

        // when
        running.close();

        // then
        assertThat(running.isAlive()).isFalse();
    }
}
