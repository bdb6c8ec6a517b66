package dev.sandbox4j.internal.session;

import dev.sandbox4j.ExecListener;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent {@code /bin/sh -s} inside a sandbox, reached through {@link RuntimeBackend#openExec}: the
 * shell reads scripts from the channel's stdin, and its stdout and stderr are {@linkplain RunningCommand#pump
 * pumped} to the frames of the command currently running (bytes that arrive while no command runs are dropped);
 * with the system runner that takes no thread of its own. Used by one exec at a
 * time; see {@link ExecSessions} for the protocol.
 */
final class SessionChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionChannel.class);
    private static final AtomicInteger NUMBERS = new AtomicInteger();
    static final List<String> SHELL = List.of("/bin/sh", "-s");

    private final RunningCommand process;
    private final String name;
    private final Pump out;
    private final Pump err;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean dead;
    private volatile boolean closed;
    private boolean base64;

    private SessionChannel(RunningCommand process, String sandboxId) {
        this.process = process;
        this.name = "sandbox4j-session-" + (sandboxId.length() > 12 ? sandboxId.substring(0, 12) : sandboxId) + "-"
                + NUMBERS.incrementAndGet();
        this.out = new Pump(name + "-stdout");
        this.err = new Pump(name + "-stderr");
    }

    /** Opens a channel and runs the probe; throws {@link SandboxException} if the shell does not answer in time. */
    static SessionChannel open(RuntimeBackend backend, String sandboxId, Duration timeout) {
        long t0 = System.nanoTime();
        RunningCommand process = backend.openExec(sandboxId, SHELL, Map.of());
        SessionChannel channel = new SessionChannel(process, sandboxId);
        try {
            process.pump(channel.out, channel.err, channel::streamsEnded);
            String token = ExecSessions.newToken();
            OutputSink probeOut = new OutputSink(1024, line -> { });
            StreamFrame of = new StreamFrame(token, false, probeOut);
            StreamFrame ef = new StreamFrame(token, false, new OutputSink(64 * 1024, ExecListener.NONE::onStderr));
            channel.send(SessionScripts.probe(token), of, ef);
            long deadline = System.nanoTime() + timeout.toNanos();
            if (!of.await(deadline - System.nanoTime()) || !ef.await(deadline - System.nanoTime())) {
                throw new SandboxException("exec session in " + sandboxId + " did not answer within "
                        + timeout.toMillis() + " ms");
            }
            if (of.failure() != null) {
                throw new SandboxException("exec session in " + sandboxId + " ended at once (" + of.failure()
                        + "): does the image have /bin/sh? " + exitInfo(process));
            }
            String caps = new String(probeOut.bytes(), StandardCharsets.US_ASCII);
            channel.base64 = caps.contains("b");
            channel.clear();
            LOG.debug("opened exec session {} in {} ms (base64: {})", channel.name,
                    (System.nanoTime() - t0) / 1_000_000, channel.base64);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw new SandboxException("exec session in " + sandboxId + " broke while opening: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while opening an exec session in " + sandboxId, e);
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String exitInfo(RunningCommand process) {
        try {
            return process.waitFor(Duration.ofSeconds(2)).stream().mapToObj(c -> "(exit " + c + ")").findFirst()
                    .orElse("");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * Installs the frames that receive the next command's output, then writes its script. If the channel is
     * already known to be dead, the frames fail at once.
     */
    void send(String script, StreamFrame stdoutFrame, StreamFrame stderrFrame) throws IOException {
        out.frame = stdoutFrame;
        err.frame = stderrFrame;
        if (dead) {
            stdoutFrame.fail("session channel closed");
            stderrFrame.fail("session channel closed");
            return;
        }
        OutputStream stdin = process.stdin();
        stdin.write(script.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Detaches the frames of the finished command; later bytes are dropped. */
    void clear() {
        out.frame = null;
        err.frame = null;
    }

    /** Whether the channel may take another command. */
    boolean usable() {
        return !dead && !closed && process.isAlive();
    }

    /** Whether exec stdin can be passed (the image has base64). */
    boolean base64() {
        return base64;
    }

    String name() {
        return name;
    }

    /** Kills the channel's CLI process; a command still running inside is not touched. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dead = true;
        try {
            process.close();
        } catch (RuntimeException e) {
            LOG.warn("could not close exec session {}", name, e);
        }
        try {
            if (!ended.await(2, TimeUnit.SECONDS)) {
                LOG.debug("output of exec session {} still open after close", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("closed exec session {}", name);
    }

    /** Both streams ended: the channel is dead and the command running, if any, fails. */
    private void streamsEnded() {
        dead = true;
        out.fail();
        err.fail();
        ended.countDown();
    }

    /** Hands the bytes of one stream of the channel to the current frame (shared output thread; never blocks). */
    private static final class Pump implements RunningCommand.ByteSink {
        private final String streamName;
        volatile StreamFrame frame;

        Pump(String streamName) {
            this.streamName = streamName;
        }

        @Override
        public void accept(byte[] bytes, int offset, int length) {
            StreamFrame f = frame;
            if (f != null) {
                f.feed(bytes, offset, length);
            } else if (length > 0 && LOG.isTraceEnabled()) {
                LOG.trace("{}: dropped {} bytes written outside any command", streamName, length);
            }
        }

        void fail() {
            StreamFrame f = frame;
            if (f != null) {
                f.fail("session channel closed");
            }
        }
    }
}
