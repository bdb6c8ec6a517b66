package dev.sandbox4j.internal.session;

import dev.sandbox4j.BackgroundProcess;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BackgroundProcess} on a channel of its own: {@code openExec} of {@code sh -c} that prints
 * {@code P <pid>} as its first stdout line and then {@code exec}s the command, which so keeps the channel's
 * stdin, stdout and stderr and leads its own process group. Signals go to that group through an exec
 * ({@code kill -s SIG -PID}); the channel's exit status is the command's.
 */
public final class BackgroundCommand implements BackgroundProcess {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundCommand.class);
    private static final Pattern SIGNAL = Pattern.compile("(?:SIG)?([A-Z][A-Z0-9+-]*|[0-9]{1,2})");
    static final Duration PID_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final int HEADER_MAX = 64;

    private final Exec exec;
    private final RunningCommand process;
    private final Function<Exec, ExecResult> signaller;
    private final Object stdinLock = new Object();
    private final Runnable onClose;
    private final OutputSink out;
    private final OutputSink err;
    private final CountDownLatch drained = new CountDownLatch(1);
    /** The first stdout bytes, until the {@code P <pid>} line is complete (shared output thread only). */
    private byte[] header = new byte[HEADER_MAX];
    private int headerLength;
    private final CountDownLatch pidKnown = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean stdinClosed = new AtomicBoolean();
    private final long t0 = System.nanoTime();
    private volatile long pid = -1;
    private volatile ExecResult result;
    private volatile Thread initialStdin;

    private BackgroundCommand(Exec exec, RunningCommand process, ExecListener listener, Function<Exec, ExecResult> signaller,
                              Runnable onClose) {
        this.exec = exec;
        this.process = process;
        this.signaller = signaller;
        this.onClose = onClose;
        this.out = new OutputSink(exec.maxOutputBytes(), listener::onStdout);
        this.err = new OutputSink(exec.maxOutputBytes(), listener::onStderr);
    }

    /**
     * Starts {@code exec} in sandbox {@code sandboxId}, as {@code user} when it is not empty, and waits until
     * the command reported its pid.
     *
     * @param signaller runs the {@code kill} execs that deliver signals (as the command's user)
     * @param onClose   called once when the handle is closed
     */
    public static BackgroundCommand start(RuntimeBackend backend, String sandboxId, String user, Exec exec,
                                          ExecListener listener, Function<Exec, ExecResult> signaller, Runnable onClose) {
        List<String> argv = SessionScripts.background(exec);
        RunningCommand process = user.isEmpty() ? backend.openExec(sandboxId, argv, exec.env())
                : backend.openExec(sandboxId, user, argv, exec.env());
        BackgroundCommand handle = new BackgroundCommand(exec, process, listener, signaller, onClose);
        try {
            process.pump(handle::stdout, handle.err::write, handle::streamsEnded);
            if (!handle.pidKnown.await(PID_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SandboxException("background command " + exec.command() + " did not start within "
                        + PID_TIMEOUT.toMillis() + " ms");
            }
            byte[] stdin = exec.stdin().orElse(null);
            if (stdin != null && stdin.length > 0 && handle.pid > 0) {
                // On a thread of its own: a command that does not read must not block start(). Later stdin calls
                // wait for it, so the bytes keep their order.
                Thread writer = daemon("sandbox4j-bg-" + process.pid() + "-stdin", () -> {
                    try {
                        handle.write(stdin);
                    } catch (SandboxException e) {
                        LOG.debug("initial stdin of {} not fully written: {}", exec.command(), e.getMessage());
                    }
                });
                handle.initialStdin = writer;
                writer.start();
            }
            LOG.debug("started background command {} as pid {} in {}", exec.command(), handle.pid, sandboxId);
            return handle;
        } catch (InterruptedException e) {
            handle.close();
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while starting " + exec.command(), e);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Stdout as it arrives: the first line is "P <pid>\n", written by the wrapper before the command exists; the
     * rest is the command's.
     */
    private void stdout(byte[] bytes, int offset, int length) {
        if (header == null) {
            out.write(bytes, offset, length);
            return;
        }
        int i = offset;
        int end = offset + length;
        while (i < end && headerLength < HEADER_MAX) {
            byte b = bytes[i++];
            header[headerLength++] = b;
            if (b == '\n') {
                break;
            }
        }
        if (headerLength == HEADER_MAX || header[headerLength - 1] == '\n') {
            headerDone();
            out.write(bytes, i, end - i);
        }
    }

    /** Takes the pid from the header, or passes the bytes on as output when they are not one. */
    private void headerDone() {
        byte[] h = header;
        header = null;
        String line = new String(h, 0, headerLength, StandardCharsets.US_ASCII);
        if (line.startsWith("P ") && line.endsWith("\n")) {
            try {
                pid = Long.parseLong(line.substring(2).strip());
            } catch (NumberFormatException e) {
                out.write(h, 0, headerLength);
            }
        } else {
            out.write(h, 0, headerLength);  // not our header: the wrapper failed (e.g. no such workdir)
        }
        pidKnown.countDown();
    }

    private void streamsEnded() {
        if (header != null) {
            headerDone();
        }
        out.finish();
        err.finish();
        drained.countDown();
    }

    @Override
    public List<String> command() {
        return exec.command();
    }

    @Override
    public boolean isAlive() {
        return result == null && process.isAlive();
    }

    @Override
    public void writeStdin(byte[] bytes) {
        awaitInitialStdin();
        write(bytes);
    }

    private void awaitInitialStdin() {
        Thread writer = initialStdin;
        if (writer != null && writer != Thread.currentThread()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted while writing stdin of " + exec.command(), e);
            }
        }
    }

    private void write(byte[] bytes) {
        if (stdinClosed.get()) {
            throw new SandboxException("stdin of " + exec.command() + " is closed");
        }
        try {
            OutputStream stdin = process.stdin();
            synchronized (stdinLock) {
                stdin.write(bytes);
                stdin.flush();
            }
        } catch (IOException e) {
            throw new SandboxException("cannot write to stdin of " + exec.command() + ": " + e.getMessage()
                    + (process.isAlive() ? "" : " (it has exited)"), e);
        }
    }

    @Override
    public void closeStdin() {
        awaitInitialStdin();
        if (stdinClosed.compareAndSet(false, true)) {
            try {
                process.stdin().close();
            } catch (IOException e) {
                LOG.debug("closing stdin of {}: {}", exec.command(), e.getMessage());
            }
        }
    }

    @Override
    public void signal(String signal) {
        String name = signalName(signal);
        if (pid <= 0 || !isAlive()) {
            return;
        }
        Exec kill = Exec.builder().command(SessionScripts.signalScript(name, pid)).timeout(Duration.ofSeconds(30))
                .build();
        ExecResult r = signaller.apply(exec.user().map(u -> kill.toBuilder().user(u).build()).orElse(kill));
        if (r.exitCode() != 0 && isAlive()) {
            throw new SandboxException("could not send SIG" + name + " to " + exec.command() + " (pid " + pid + "): "
                    + r.stderr().strip());
        }
    }

    static String signalName(String signal) {
        String s = signal == null ? "" : signal.strip().toUpperCase(java.util.Locale.ROOT);
        var m = SIGNAL.matcher(s);
        if (!m.matches()) {
            throw new SandboxConfigException("signal \"" + signal + "\" is not a signal name or number: use e.g. "
                    + "\"TERM\", \"SIGINT\" or \"9\"");
        }
        return m.group(1);
    }

    @Override
    public Optional<ExecResult> waitFor(Duration timeout) {
        ExecResult r = result;
        if (r != null) {
            return Optional.of(r);
        }
        OptionalInt code;
        try {
            code = process.waitFor(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for " + exec.command(), e);
        }
        if (code.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(finish(code.getAsInt()));
    }

    private synchronized ExecResult finish(int code) {
        if (result == null) {
            awaitDrained();
            result = new ExecResult(exec.command(), code, out.bytes(), err.bytes(),
                    Duration.ofNanos(System.nanoTime() - t0), out.dropped() + err.dropped());
        }
        return result;
    }

    private void awaitDrained() {
        try {
            if (!drained.await(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.debug("output of {} still open {} ms after it exited", exec.command(), DRAIN_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public OptionalInt exitCode() {
        ExecResult r = result;
        if (r != null) {
            return OptionalInt.of(r.exitCode());
        }
        if (process.isAlive()) {
            return OptionalInt.empty();
        }
        return waitFor(Duration.ZERO).map(x -> OptionalInt.of(x.exitCode())).orElse(OptionalInt.empty());
    }

    /** Kills the command's group if it still runs, then releases the channel. Idempotent. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Releases the channel; with {@code kill}, first kills the command's process group inside the sandbox (not
     * needed when the whole sandbox is going away).
     */
    public void close(boolean kill) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        try {
            if (kill && isAlive()) {
                kill();
                process.waitFor(CLOSE_WAIT);
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.warn("could not kill background command {}", exec.command(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            process.close();
            awaitDrained();
        } finally {
            onClose.run();
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "BackgroundProcess" + exec.command() + (pid > 0 ? "{pid " + pid + "}" : "");
    }
}
