package dev.sandbox4j.internal.session;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.internal.spawn.ProcessLoop;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exec sessions of one sandbox: a small pool of persistent shells ({@link SessionChannel}s, at most
 * {@link #DEFAULT_MAX_CHANNELS}) that run {@link Exec}s in about a millisecond each instead of one runtime CLI
 * process (100+ ms) per command. Each channel runs one exec at a time; concurrent execs use different channels.
 *
 * <h2>Protocol</h2>
 * A channel is {@code /bin/sh -s} started with the backend's {@code openExec}; it needs only a POSIX
 * {@code sh} (busybox ash, dash). Its first script is a probe that reports whether {@code base64} exists. For each exec the host draws a fresh token {@code T} ({@code S4J} + 128 random bits in
 * hex) and writes one script:
 * <pre>
 * printf '%s S\n' T; printf '%s S\n' T &gt;&amp;2                        # start markers on both streams
 * exec 3&gt;&amp;2 2&gt;/dev/null; [base64 -d &lt;&lt;'T_I' 2&gt;&amp;3 3&gt;&amp;- |] ( cd -- 'DIR' || exit 127;
 *     export SANDBOX4J_EXEC='M' K='V'...; read -r s4j_pid s4j_rest &lt;/proc/self/stat;
 *     printf 'P %s\n' "$s4j_pid"; exec 'ARG0' 'ARG1'...
 *   ) [&lt;/dev/null] 2&gt;&amp;3 3&gt;&amp;-
 * [base64 of the exec's stdin, 76 columns]
 * [T_I]
 * s4j_status=$?; exec 2&gt;&amp;3 3&gt;&amp;-; printf '\n%s E %s\n' T "$s4j_status"; printf '\n%s E\n' T &gt;&amp;2
 * </pre>
 * (The shell's own stderr points at {@code /dev/null} while it waits, so its "Killed" notice for a command that
 * died of a signal is not mistaken for the command's output.)
 * Every argument and value is single-quoted, so it reaches the program literally. The command runs in a
 * subshell in the foreground (so it keeps default signal dispositions), with its own workdir and environment,
 * stdin from {@code /dev/null} or from the decoded here-document (never the channel's stdin); it reports its
 * pid in the {@code P <pid>} line, the first line on stdout after the start marker, written before the command
 * exists. (No {@code setsid} per command: that exec cost as much as the rest of an exec together; the timeout
 * kill below finds the command's processes without a process group.) A command killed by signal n gives
 * status 128 + n, as the shell reports it.
 *
 * <p>The host side ({@link StreamFrame}) drops whatever precedes the start marker (late output of background
 * children of earlier commands), takes the pid line, and streams the payload to the result buffer and the line
 * listener until {@code \nT E}. The newline in front of the end marker is always added by the script and is
 * never payload, so output without a trailing newline, NUL bytes and arbitrary binary data arrive exactly.
 * Output cannot end a frame early unless it contains {@code \nT E}, and {@code T} is fresh per command and never
 * in any process's argv or environment: only a process that reads the shell's memory could learn it. Both
 * streams are read continuously by their own threads, so any amount of output (50 MB and more) flows without
 * deadlock.
 *
 * <h2>Timeouts and failures</h2>
 * At the exec's timeout the host kills, through one plain runtime exec, the command's whole process tree (frozen
 * with SIGSTOP first, found through the parent links in {@code /proc}, so nothing forks away during the kill),
 * plus every process carrying the exec's {@code SANDBOX4J_EXEC} marker in its environment (which also catches
 * children that were re-parented after their parent exited, or that started a session of their own); the shell then writes the end markers and the
 * channel is reused. A channel that does not finish the frame within {@link #KILL_GRACE} afterwards is closed.
 * When a channel's streams end (the shell was killed, the CLI process died), the exec that was running fails with
 * {@link SandboxException}; if the shell had not yet written the start marker the command never started and is
 * retried once on a new channel. Every wait is bounded: opening ({@link #OPEN_TIMEOUT}), waiting for a free
 * channel ({@link #ACQUIRE_WAIT}, then the plain path), the command (its timeout) and the kill.
 *
 * <h2>When the plain path runs instead</h2>
 * {@link ExecMode#PLAIN}; an exec for another user than the sandbox's (a channel cannot switch users); an
 * exec made from an output listener (which runs on the thread that delivers the channels' output);
 * stdin in an image without {@code base64}; all channels busy for {@link #ACQUIRE_WAIT}; a sandbox whose shell
 * could not be opened twice in a row (no {@code /bin/sh}): sessions are then off for that sandbox.
 */
public final class ExecSessions implements AutoCloseable {
    /** Channels per sandbox at most. */
    public static final int DEFAULT_MAX_CHANNELS = 4;
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
    static final Duration ACQUIRE_WAIT = Duration.ofSeconds(1);
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ExecSessions.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RuntimeBackend backend;
    private final String sandboxId;
    private final int maxChannels;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final Deque<SessionChannel> idle = new ArrayDeque<>();
    private final Set<SessionChannel> all = new LinkedHashSet<>();
    private final AtomicLong execs = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private int open;
    private int openFailures;
    private boolean closed;
    private volatile boolean disabled;

    public ExecSessions(RuntimeBackend backend, String sandboxId, int maxChannels) {
        if (maxChannels < 1) {
            throw new IllegalArgumentException("maxChannels must be at least 1, got " + maxChannels);
        }
        this.backend = backend;
        this.sandboxId = sandboxId;
        this.maxChannels = maxChannels;
    }

    public ExecSessions(RuntimeBackend backend, String sandboxId) {
        this(backend, sandboxId, DEFAULT_MAX_CHANNELS);
    }

    static String newToken() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "S4J" + HexFormat.of().formatHex(b);
    }

    /** How many execs completed through a session (for tests and metrics). */
    public long execCount() {
        return execs.get();
    }

    /** How many channels were opened so far (for tests and metrics). */
    public long channelsOpened() {
        return opened.get();
    }

    /** Channels open right now. */
    public int openChannels() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** Whether sessions were turned off for this sandbox because its shell could not be opened. */
    public boolean disabled() {
        return disabled;
    }

    /**
     * Runs {@code exec} through a session channel; empty when no channel could take it (the caller then uses
     * the plain path). Throws like {@code Sandbox.exec}.
     */
    public Optional<ExecResult> exec(Exec exec, ExecListener listener) {
        if (ProcessLoop.isLoopThread()) {
            // An exec from inside an output listener: the channels' output arrives on this very thread
            LOG.debug("exec {} from the process loop thread; using the plain path", exec.command());
            return Optional.empty();
        }
        long t0 = System.nanoTime();
        for (int attempt = 0; attempt < 2; attempt++) {
            SessionChannel channel = acquire();
            if (channel == null) {
                return Optional.empty();
            }
            if (exec.stdin().isPresent() && !channel.base64()) {
                release(channel);
                return Optional.empty();
            }
            try {
                ExecResult r = run(channel, exec, listener, t0);
                execs.incrementAndGet();
                return Optional.of(r);
            } catch (NotStarted e) {
                LOG.debug("exec session {} was dead before {} started; retrying on another", channel.name(),
                        exec.command());
            }
        }
        return Optional.empty();
    }

    private ExecResult run(SessionChannel channel, Exec exec, ExecListener listener, long t0) {
        String token = newToken();
        String marker = newToken();
        OutputSink out = new OutputSink(exec.maxOutputBytes(), listener::onStdout);
        OutputSink err = new OutputSink(exec.maxOutputBytes(), listener::onStderr);
        StreamFrame of = new StreamFrame(token, true, out);
        StreamFrame ef = new StreamFrame(token, false, err);
        try {
            channel.send(SessionScripts.command(exec, token, marker), of, ef);
        } catch (IOException e) {
            discard(channel);
            throw new NotStarted();
        }
        long deadline = t0 + exec.timeout().toNanos();
        boolean finished;
        try {
            finished = awaitBoth(of, ef, deadline);
        } catch (InterruptedException e) {
            killQuietly(channel, of, marker);
            discard(channel);
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running " + exec.command() + "; its processes were killed",
                    e);
        }
        if (!finished) {
            killQuietly(channel, of, marker);
            boolean ended;
            try {
                ended = awaitBoth(of, ef, System.nanoTime() + KILL_GRACE.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (ended && of.failure() == null && ef.failure() == null) {
                release(channel);
            } else {
                discard(channel);
            }
            LOG.debug("session exec {} timed out after {} ms", exec.command(), exec.timeout().toMillis());
            throw new SandboxTimeoutException("command " + exec.command() + " did not finish within "
                    + exec.timeout().toMillis() + " ms; its processes were killed", exec.timeout(), out.snapshot(),
                    err.snapshot());
        }
        String failure = of.failure() != null ? of.failure() : ef.failure();
        if (failure != null) {
            discard(channel);
            if (!of.started()) {
                throw new NotStarted();
            }
            throw new SandboxException("the exec session running " + exec.command() + " in " + sandboxId
                    + " died before the command finished (" + failure + "); its exit code is unknown");
        }
        int exitCode;
        try {
            exitCode = Integer.parseInt(of.trailer());
        } catch (NumberFormatException e) {
            discard(channel);
            throw new SandboxException("exec session " + channel.name() + " sent a malformed end marker for "
                    + exec.command() + ": \"" + of.trailer() + "\"");
        }
        release(channel);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        if (LOG.isDebugEnabled()) {
            LOG.debug("session exec {} in {} ms, exit {}", exec.command(), elapsed.toMillis(), exitCode);
        }
        return new ExecResult(exec.command(), exitCode, out.bytes(), err.bytes(), elapsed,
                out.dropped() + err.dropped());
    }

    private static boolean awaitBoth(StreamFrame a, StreamFrame b, long deadline) throws InterruptedException {
        return a.await(Math.max(0, deadline - System.nanoTime())) && b.await(Math.max(0, deadline - System.nanoTime()));
    }

    private void killQuietly(SessionChannel channel, StreamFrame stdout, String marker) {
        try {
            Exec kill = Exec.builder().command(SessionScripts.killScript(stdout.pid(), marker))
                    .timeout(KILL_TIMEOUT).mode(ExecMode.PLAIN).build();
            backend.exec(sandboxId, kill, ExecListener.NONE);
        } catch (RuntimeException e) {
            LOG.warn("could not kill the processes of a timed-out exec in {}", sandboxId, e);
        }
    }

    private SessionChannel acquire() {
        long waitUntil = System.nanoTime() + ACQUIRE_WAIT.toNanos();
        List<SessionChannel> stale = new ArrayList<>();
        lock.lock();
        try {
            while (true) {
                if (closed || disabled) {
                    return null;
                }
                SessionChannel channel = idle.pollFirst();
                if (channel != null) {
                    if (channel.usable()) {
                        return channel;
                    }
                    dropLocked(channel);
                    stale.add(channel);
                    continue;
                }
                if (open < maxChannels) {
                    open++;
                    break;
                }
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    LOG.debug("all {} exec sessions of {} busy; using the plain path", maxChannels, sandboxId);
                    return null;
                }
                freed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for an exec session", e);
        } finally {
            lock.unlock();
            stale.forEach(SessionChannel::close);
        }
        return openChannel();
    }

    private SessionChannel openChannel() {
        SessionChannel channel;
        try {
            channel = SessionChannel.open(backend, sandboxId, OPEN_TIMEOUT);
        } catch (RuntimeException e) {
            lock.lock();
            try {
                open--;
                openFailures++;
                if (openFailures >= 2 && !disabled) {
                    disabled = true;
                    LOG.info("exec sessions are off for {}: its shell could not be opened ({}); every exec uses the "
                            + "plain path", sandboxId, e.getMessage());
                }
                freed.signal();
            } finally {
                lock.unlock();
            }
            LOG.debug("could not open an exec session in {}", sandboxId, e);
            return null;
        }
        opened.incrementAndGet();
        lock.lock();
        try {
            openFailures = 0;
            if (!closed) {
                all.add(channel);
                return channel;
            }
            open--;
        } finally {
            lock.unlock();
        }
        channel.close();
        return null;
    }

    private void release(SessionChannel channel) {
        channel.clear();
        lock.lock();
        try {
            if (!closed && channel.usable()) {
                idle.addFirst(channel);
                freed.signal();
                return;
            }
            dropLocked(channel);
        } finally {
            lock.unlock();
        }
        channel.close();
    }

    private void discard(SessionChannel channel) {
        lock.lock();
        try {
            dropLocked(channel);
        } finally {
            lock.unlock();
        }
        channel.close();
    }

    private void dropLocked(SessionChannel channel) {
        if (all.remove(channel)) {
            open--;
        }
        idle.remove(channel);
        freed.signal();
    }

    /** Closes every channel; execs still running on one fail. Idempotent. */
    @Override
    public void close() {
        List<SessionChannel> channels;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            channels = new ArrayList<>(all);
            freed.signalAll();
        } finally {
            lock.unlock();
        }
        for (SessionChannel c : channels) {
            c.close();
        }
    }

    /** The channel was dead before the shell began the command: safe to retry elsewhere. */
    private static final class NotStarted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotStarted() {
            super(null, null, false, false);
        }
    }
}
