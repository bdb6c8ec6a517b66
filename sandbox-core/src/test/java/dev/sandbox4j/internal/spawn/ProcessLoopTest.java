package dev.sandbox4j.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.internal.SystemCommandRunner;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.RunningCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes through the shared process loop (Linux: on by default). Needs {@code /bin/sh}, coreutils and
 * {@code /proc}.
 */
@Timeout(120)
class ProcessLoopTest {
    private static ProcessLoop loop;

    @BeforeAll
    static void loopIsOnByDefault() {
        loop = ProcessLoop.shared().orElseThrow(() -> new AssertionError("the process loop is on by default on Linux"));
        warmUp();
    }

    /** One child through the loop first, so JNA, the loop thread and its buffers exist before anything is counted. */
    private static void warmUp() {
        Pumped p = Pumped.start(sh("echo warm; echo up >&2"));
        p.awaitEnd();
        p.running.close();
    }

    private static Command sh(String script) {
        return Command.builder(List.of("/bin/sh", "-c", script)).grace(Duration.ofMillis(500)).build();
    }

    @Test
    void twoHundredConcurrentChildrenDeliverInterleavedStdoutAndStderrExactly() {
        // given
        int children = 200;
        int lines = 300;
        List<Pumped> started = new ArrayList<>();
        for (int c = 0; c < children; c++) {
            started.add(Pumped.start(sh("i=0; while [ $i -lt " + lines + " ]; do echo \"out " + c
                    + " $i\"; echo \"err " + c + " $i\" >&2; i=$((i+1)); done")));
        }

        // when
        started.forEach(Pumped::awaitEnd);

        // then
        for (int c = 0; c < children; c++) {
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            for (int i = 0; i < lines; i++) {
                out.append("out ").append(c).append(' ').append(i).append('\n');
                err.append("err ").append(c).append(' ').append(i).append('\n');
            }
            Pumped p = started.get(c);
            assertThat(p.stdout()).as("stdout of child %d", c).isEqualTo(out.toString());
            assertThat(p.stderr()).as("stderr of child %d", c).isEqualTo(err.toString());
            assertThat(exit(p.running)).isZero();
            p.running.close();
        }
    }

    @Test
    void severalMebibytesOfBinaryOutputOnBothStreamsArriveByteForByte(@TempDir Path dir) throws IOException {
        // given
        byte[] data = new byte[6 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Path file = Files.write(dir.resolve("data"), data);

        // when
        Pumped p = Pumped.start(sh("cat '" + file + "' & cat '" + file + "' >&2; wait"));
        p.awaitEnd();

        // then
        assertThat(p.out.toByteArray()).isEqualTo(data);
        assertThat(p.err.toByteArray()).isEqualTo(data);
        assertThat(exit(p.running)).isZero();
        p.running.close();
    }

    @Test
    void stdinWrittenOnTheCallersThreadReachesTheChildWhileItsOutputIsPumped() throws IOException {
        // given
        byte[] data = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Pumped p = Pumped.start(Command.builder(List.of("cat")).build());

        // when
        try (OutputStream in = p.running.stdin()) {
            for (int off = 0; off < data.length; off += 100_000) {
                in.write(data, off, Math.min(100_000, data.length - off));
            }
        }
        p.awaitEnd();

        // then
        assertThat(p.out.toByteArray()).isEqualTo(data);
        assertThat(exit(p.running)).isZero();
        p.running.close();
    }

    @Test
    void exitStatusAndDeathBySignalAreReportedAsProcessDoes() throws InterruptedException {
        // given
        Pumped seven = Pumped.start(sh("exit 7"));
        Pumped killed = Pumped.start(sh("kill -9 $$"));

        // when
        int sevenCode = seven.running.waitFor(Duration.ofSeconds(30)).orElseThrow();
        int killedCode = killed.running.waitFor(Duration.ofSeconds(30)).orElseThrow();

        // then
        assertThat(sevenCode).isEqualTo(7);
        assertThat(killedCode).isEqualTo(128 + 9);
        assertThat(seven.running.isAlive()).isFalse();
        seven.running.close();
        killed.running.close();
    }

    @Test
    void aRunningChildIsAliveAndHasNoExitCodeYet() throws InterruptedException {
        // given
        Pumped p = Pumped.start(Command.builder(List.of("cat")).build());

        // when
        boolean alive = p.running.isAlive();

        // then
        assertThat(alive).isTrue();
        assertThat(p.running.waitFor(Duration.ofMillis(50))).isEmpty();
        p.running.close();
        assertThat(p.running.isAlive()).isFalse();
        assertThat(p.ended.getCount()).as("onEnd ran by the time close returned").isZero();
    }

    @Test
    void askingWhetherAChildIsAliveAllocatesNothingPerCall() throws ReflectiveOperationException {
        // given: a child that keeps running, asked often enough first that the path is compiled
        Pumped p = Pumped.start(Command.builder(List.of("cat")).build());
        boolean alive = true;
        for (int i = 0; i < 2_000; i++) {
            alive &= p.running.isAlive();
        }

        // when: asked as an exec session asks, twice per exec
        long before = allocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            alive &= p.running.isAlive();
        }
        long allocated = allocatedBytes() - before;

        // then
        assertThat(alive).isTrue();
        assertThat(allocated).as("heap bytes allocated by 10,000 isAlive() calls").isLessThan(10_000L * 16);
        p.running.close();
    }

    @Test
    void environmentChangesAndWorkingDirectoryReachTheChild(@TempDir Path dir) {
        // given
        Command command = Command.builder(List.of("/bin/sh", "-c", "echo \"$S4J_SET|${HOME-unset}|$(pwd)\""))
                .env("S4J_SET", "v a l").unsetEnv("HOME").directory(dir).build();

        // when
        Pumped p = Pumped.start(command);
        p.awaitEnd();

        // then
        assertThat(p.stdout()).isEqualTo("v a l|unset|" + dir.toAbsolutePath() + "\n");
        p.running.close();
    }

    @Test
    void closeKillsTheTreeIncludingAForkedChildThatIgnoresSigterm() throws InterruptedException {
        // given
        Pumped p = Pumped.start(sh("sh -c 'trap \"\" TERM; echo $$; exec sleep 300' & sh -c 'setsid sleep 300 & "
                + "echo $!; wait' & exec sleep 300"));
        long[] pids = p.awaitLines(2).stream().mapToLong(Long::parseLong).toArray();
        assertThat(running(pids[0])).isTrue();
        assertThat(running(pids[1])).isTrue();

        // when
        p.running.close();

        // then
        try {
            assertThat(p.running.isAlive()).isFalse();
            assertThat(goneWithin(pids[0], Duration.ofSeconds(5))).as("child ignoring SIGTERM").isTrue();
            assertThat(goneWithin(pids[1], Duration.ofSeconds(5))).as("grandchild in a session of its own").isTrue();
            assertThat(p.ended.getCount()).isZero();
        } finally {
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void childrenThatExitOnTheirOwnOrAreClosedLeaveNoZombieNoDescriptorAndNoThread() throws Exception {
        // given
        long fdsBefore = openDescriptors();
        List<Pumped> finishing = new ArrayList<>();
        List<Pumped> closed = new ArrayList<>();

        // when
        for (int i = 0; i < 50; i++) {
            finishing.add(Pumped.start(sh("echo done " + i)));
            closed.add(Pumped.start(Command.builder(List.of("cat")).build()));
        }
        finishing.forEach(Pumped::awaitEnd);
        closed.forEach(c -> c.running.close());

        // then
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!zombieChildren().isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
        }
        assertThat(zombieChildren()).as("children exited without anyone waiting are collected").isEmpty();
        assertThat(finishing).allSatisfy(f -> assertThat(f.running.isAlive()).isFalse());
        finishing.forEach(f -> f.running.close());
        assertThat(openDescriptors()).as("descriptors after 100 children").isEqualTo(fdsBefore);
    }

    @Test
    void aHundredPumpedChildrenAddNoThread() {
        // given
        long before = Thread.getAllStackTraces().size();
        List<String> namesBefore = processThreads();
        List<Pumped> started = new ArrayList<>();

        // when
        for (int i = 0; i < 100; i++) {
            started.add(Pumped.start(Command.builder(List.of("cat")).build()));
        }
        long during = Thread.getAllStackTraces().size();
        List<String> namesDuring = processThreads();
        started.forEach(p -> p.running.close());

        // then
        assertThat(namesDuring).isEqualTo(namesBefore).contains("sandbox4j-process-loop");
        assertThat(during - before).as("JVM threads added by 100 open children").isLessThan(5);
    }

    @Test
    void missingProgramIsASandboxExceptionAndLeaksNoDescriptor() throws IOException {
        // given
        long before = openDescriptors();

        // when / then
        assertThatThrownBy(() -> loop.start(Command.builder(List.of("sandbox4j-no-such-program-7f3a")).build()))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("cannot start `sandbox4j-no-such-program-7f3a`")
                .hasMessageContaining("No such file or directory");
        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void outputIsEitherPumpedOrReadNeverBoth() {
        // given
        RunningCommand running = SystemCommandRunner.INSTANCE.start(Command.builder(List.of("cat")).build());
        try {
            running.pump((b, o, l) -> { }, (b, o, l) -> { }, () -> { });

            // when / then
            assertThatThrownBy(running::stdout).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> running.pump((b, o, l) -> { }, (b, o, l) -> { }, () -> { }))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            running.close();
        }
    }

    @Test
    void aSinkThatThrowsLosesItsStreamButTheOtherStreamAndTheEndStillArrive() {
        // given
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch ended = new CountDownLatch(1);
        RunningCommand running = SystemCommandRunner.INSTANCE.start(sh("echo a; echo b >&2; echo c; echo d >&2"));

        // when
        running.pump((b, o, l) -> {
            throw new IllegalStateException("sink broke");
        }, (b, o, l) -> {
            synchronized (err) {
                err.write(b, o, l);
            }
        }, ended::countDown);

        // then
        await(ended);
        synchronized (err) {
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("b\nd\n");
        }
        running.close();
    }

    @Test
    void theLoopIsOnByDefaultOnLinuxOffWhenSetFalseAndOnMacOsOnlyWhenSetTrue() {
        assertThat(ProcessLoop.wanted("", true, false)).isTrue();
        assertThat(ProcessLoop.wanted(" FALSE ", true, false)).isFalse();
        assertThat(ProcessLoop.wanted("", false, true)).isFalse();
        assertThat(ProcessLoop.wanted("true", false, true)).isTrue();
        assertThat(ProcessLoop.wanted("true", false, false)).as("elsewhere never").isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------

    private static int exit(RunningCommand running) {
        try {
            return running.waitFor(Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("still running"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).as("output ended").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Heap bytes this thread has allocated so far, from HotSpot's {@code com.sun.management.ThreadMXBean}, read
     * reflectively (this module does not read {@code jdk.management}).
     */
    private static long allocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                .invoke(bean);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Threads that serve processes: the loop, JDK process reapers (from earlier tests), per-stream readers. */
    private static List<String> processThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("sandbox4j-") || n.startsWith("process reaper"))
                .filter(n -> !n.startsWith("sandbox4j-lifetimes") && !n.startsWith("sandbox4j-expiry"))
                .sorted().toList();
    }

    /** Direct children of this JVM in state Z. */
    private static List<Long> zombieChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Long> zombies = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue;
                }
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (rest[0].equals("Z") && Long.parseLong(rest[1]) == self) {
                    zombies.add(Long.parseLong(p.getFileName().toString()));
                }
            }
        }
        return zombies;
    }

    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
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

    /** A child whose output the loop collects into two buffers. */
    private static final class Pumped {
        final RunningCommand running;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CountDownLatch ended = new CountDownLatch(1);

        private Pumped(RunningCommand running) {
            this.running = running;
        }

        static Pumped start(Command command) {
            Pumped p = new Pumped(loop.start(command));
            p.running.pump((b, o, l) -> {
                synchronized (p.out) {
                    p.out.write(b, o, l);
                }
            }, (b, o, l) -> {
                synchronized (p.err) {
                    p.err.write(b, o, l);
                }
            }, p.ended::countDown);
            return p;
        }

        void awaitEnd() {
            await(ended);
        }

        String stdout() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String stderr() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        List<String> awaitLines(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (stdout().lines().count() < n || !stdout().endsWith("\n")) {
                assertThat(System.nanoTime() - deadline).as("%d lines of output", n).isNegative();
                Thread.sleep(10);
            }
            return stdout().lines().map(String::strip).toList();
        }
    }
}
