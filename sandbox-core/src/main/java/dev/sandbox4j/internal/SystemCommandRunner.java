package dev.sandbox4j.internal;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.internal.spawn.ProcessLoop;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CommandRunner} that starts real processes: the only place in Sandbox4j that starts them.
 * {@link #run} uses {@link ProcessBuilder}; {@link #start} uses the JVM's shared {@link ProcessLoop} where it is
 * available (no thread per process) and {@link ProcessBuilder} otherwise.
 */
public final class SystemCommandRunner implements CommandRunner {
    public static final SystemCommandRunner INSTANCE = new SystemCommandRunner();

    private static final Logger LOG = LoggerFactory.getLogger(SystemCommandRunner.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private SystemCommandRunner() {
    }

    @Override
    public CommandResult run(Command command) {
        long start = System.nanoTime();
        Process process = spawn(command);
        StreamPump out = new StreamPump(process.getInputStream(), command.maxOutputBytes(), command.stdoutLines());
        StreamPump err = new StreamPump(process.getErrorStream(), command.maxOutputBytes(), command.stderrLines());
        Thread outThread = daemon("sandbox4j-stdout-" + process.pid(), out);
        Thread errThread = daemon("sandbox4j-stderr-" + process.pid(), err);
        Thread inThread = feedStdin(process, command.stdin().orElse(null));
        try {
            boolean finished = process.waitFor(command.timeout().toNanos(), TimeUnit.NANOSECONDS);
            if (!finished) {
                destroyTree(process, command.grace());
                joinQuietly(outThread, errThread, inThread);
                LOG.debug("{} timed out after {} ms", command.describe(), command.timeout().toMillis());
                throw new SandboxTimeoutException("`" + command.describe() + "` did not finish within "
                        + command.timeout().toMillis() + " ms and was killed", command.timeout(),
                        new String(out.buffer.toByteArray(), StandardCharsets.UTF_8),
                        new String(err.buffer.toByteArray(), StandardCharsets.UTF_8));
            }
            if (!joinUntil(start + command.timeout().toNanos(), outThread, errThread, inThread)) {
                // The process exited, but something it started in the background still holds its output open.
                // That process is no longer a descendant, so it cannot be found to kill: stop waiting for it.
                LOG.debug("{} exited but its output stayed open past the time limit", command.describe());
                throw new SandboxTimeoutException("`" + command.describe() + "` exited with " + process.exitValue()
                        + " but its output stayed open beyond " + command.timeout().toMillis() + " ms: a background "
                        + "process it started still holds stdout or stderr", command.timeout(),
                        new String(out.buffer.toByteArray(), StandardCharsets.UTF_8),
                        new String(err.buffer.toByteArray(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            destroyTree(process, Duration.ZERO);
            joinQuietly(outThread, errThread, inThread);
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running `" + command.describe() + "`; the process was killed", e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int exit = process.exitValue();
        if (LOG.isDebugEnabled()) {
            LOG.debug("ran `{}` in {} ms, exit {}", command.describe(), elapsed.toMillis(), exit);
        }
        return new CommandResult(command.argv(), exit, out.buffer.toByteArray(), err.buffer.toByteArray(), elapsed,
                out.buffer.dropped() + err.buffer.dropped());
    }

    @Override
    public RunningCommand start(Command command) {
        ProcessLoop loop = ProcessLoop.shared().orElse(null);
        // From the loop's own thread (a sink that starts a process), a loop child's output could not be read
        // while the caller waits for it: such a start gets threads of its own.
        if (loop != null && loop.supports(command) && !ProcessLoop.isLoopThread()) {
            RunningCommand running = loop.start(command);
            LOG.debug("started `{}` as pid {} (process loop)", command.describe(), running.pid());
            return running;
        }
        Process process = spawn(command);
        LOG.debug("started `{}` as pid {}", command.describe(), process.pid());
        return new ProcessHandle(process, command.grace());
    }

    private static Process spawn(Command command) {
        ProcessBuilder pb = new ProcessBuilder(command.argv());
        Map<String, String> env = pb.environment();
        command.unsetEnv().forEach(env::remove);
        env.putAll(command.env());
        command.directory().ifPresent(d -> pb.directory(d.toFile()));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new SandboxException("cannot start `" + command.describe() + "`: " + e.getMessage(), e);
        }
    }

    private static Thread feedStdin(Process process, byte[] stdin) {
        if (stdin == null) {
            closeQuietly(process.getOutputStream());
            return null;
        }
        return daemon("sandbox4j-stdin-" + process.pid(), () -> {
            try (OutputStream os = process.getOutputStream()) {
                os.write(stdin);
            } catch (IOException e) {
                LOG.debug("stdin of pid {} closed early: {}", process.pid(), e.getMessage());
            }
        });
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * SIGTERM to the process and its descendants, then SIGKILL after {@code grace} to whatever of the tree is
     * still alive, including descendants whose parent already exited on the SIGTERM.
     */
    static void destroyTree(Process process, Duration grace) {
        List<java.lang.ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(java.lang.ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (System.nanoTime() - deadline < 0
                    && (process.isAlive() || descendants.stream().anyMatch(java.lang.ProcessHandle::isAlive))) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(java.lang.ProcessHandle::destroyForcibly);
        descendants.forEach(java.lang.ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Joins the threads until {@code deadline} ({@link System#nanoTime()}); whether all of them ended. */
    private static boolean joinUntil(long deadline, Thread... threads) throws InterruptedException {
        for (Thread t : threads) {
            if (t == null) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    private static void joinQuietly(Thread... threads) {
        boolean interrupted = Thread.interrupted();
        for (Thread t : threads) {
            if (t == null) {
                continue;
            }
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.trace("close failed", e);
        }
    }

    /** Drains one stream into a bounded buffer and a line listener. */
    private static final class StreamPump implements Runnable {
        private final InputStream in;
        private final BoundedBuffer buffer;
        private final LineSplitter lines;

        StreamPump(InputStream in, int max, Consumer<String> listener) {
            this.in = in;
            this.buffer = new BoundedBuffer(max);
            this.lines = new LineSplitter(listener);
        }

        @Override
        public void run() {
            byte[] buf = new byte[64 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    buffer.write(buf, 0, n);
                    lines.accept(buf, 0, n);
                }
            } catch (IOException e) {
                LOG.trace("stream closed: {}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("output listener failed; output is still collected", e);
            } finally {
                try {
                    lines.finish();
                } catch (RuntimeException e) {
                    LOG.warn("output listener failed", e);
                }
            }
        }
    }

    private static final class ProcessHandle implements RunningCommand {
        private final Process process;
        private final Duration grace;

        ProcessHandle(Process process, Duration grace) {
            this.process = process;
            this.grace = grace;
        }

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public OptionalInt waitFor(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                destroyTree(process, grace);
            }
            closeQuietly(process.getOutputStream());
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        }
    }
}
