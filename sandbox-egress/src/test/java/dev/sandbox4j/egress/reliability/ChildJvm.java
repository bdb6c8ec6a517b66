package dev.sandbox4j.egress.reliability;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A JVM running {@link OwnerProcess} on this test class path; its stdout lines are kept, stderr is drained. */
final class ChildJvm implements AutoCloseable {
    private final RunningCommand process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final StringBuffer stderr = new StringBuffer();
    private final CountDownLatch ready = new CountDownLatch(1);

    private ChildJvm(RunningCommand process) {
        this.process = process;
        daemon(() -> read(process.stdout(), true));
        daemon(() -> read(process.stderr(), false));
    }

    static ChildJvm start(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), OwnerProcess.class.getName()));
        argv.addAll(List.of(args));
        return new ChildJvm(CommandRunner.system().start(Command.builder(argv).build()));
    }

    private void read(InputStream in, boolean out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!out) {
                    if (stderr.length() < 200_000) {
                        stderr.append(line).append('\n');
                    }
                } else if (line.equals("READY")) {
                    ready.countDown();
                } else {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
        if (out) {
            ready.countDown();
        }
    }

    /** Waits for READY (or for the child to close stdout) and returns the lines before it. */
    List<String> awaitReady(Duration timeout) throws InterruptedException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child JVM not ready within " + timeout + "; stderr:\n" + stderr);
        }
        return List.copyOf(lines);
    }

    /** The words after {@code prefix} on each line that starts with it. */
    List<String[]> fields(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix + " ")).map(l -> l.substring(prefix.length() + 1)
                .split(" ")).toList();
    }

    String stderr() {
        return stderr.toString();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no finally block runs. */
    void kill9() throws InterruptedException {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        if (process.waitFor(Duration.ofSeconds(20)).isEmpty()) {
            throw new AssertionError("child JVM " + process.pid() + " survived SIGKILL");
        }
    }

    /** Waits for a normal exit; its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout).orElseThrow(() -> new AssertionError("child JVM did not exit within "
                + timeout + "; stderr:\n" + stderr));
    }

    @Override
    public void close() {
        process.close();
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "child-jvm-reader");
        t.setDaemon(true);
        t.start();
    }
}
