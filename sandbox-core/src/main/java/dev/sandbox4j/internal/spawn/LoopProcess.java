package dev.sandbox4j.internal.spawn;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.sandbox4j.spi.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child started by {@link ProcessLoop}: the leader of its own process group. Its output is either pumped by
 * the loop ({@link #pump}) or read with blocking reads from {@link #stdout()} / {@link #stderr()}, not both;
 * stdin is written on the caller's thread. Its exit is collected by whichever of the loop and the callers of
 * {@link #isAlive()} / {@link #waitFor} gets there first.
 */
final class LoopProcess implements RunningCommand {
    private static final Logger LOG = LoggerFactory.getLogger(LoopProcess.class);
    private static final long WAIT_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long DETACH_WAIT_MILLIS = 2000;
    private static final long COLLECT_AFTER_KILL_NANOS = TimeUnit.SECONDS.toNanos(5);

    final ProcessLoop loop;
    private final Posix libc;
    private final int pid;
    private final Duration grace;
    private final FdOutputStream stdin;
    private final FdInputStream stdout;
    private final FdInputStream stderr;
    private final Object exitLock = new Object();
    /** Receives the status from {@code waitpid}; under {@link #exitLock}. */
    private final Memory status = new Memory(4);
    private final CountDownLatch exited = new CountDownLatch(1);
    private final AtomicBoolean outputTaken = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int exitCode = Integer.MIN_VALUE;
    private volatile ProcessLoop.Pumped pumped;

    LoopProcess(ProcessLoop loop, int pid, Duration grace, int stdinFd, int stdoutFd, int stderrFd) {
        this.loop = loop;
        this.libc = loop.libc;
        this.pid = pid;
        this.grace = grace;
        this.stdin = new FdOutputStream(libc, stdinFd);
        this.stdout = new FdInputStream(libc, stdoutFd);
        this.stderr = new FdInputStream(libc, stderrFd);
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return output(stdout);
    }

    @Override
    public InputStream stderr() {
        return output(stderr);
    }

    private InputStream output(FdInputStream s) {
        if (pumped != null) {
            throw new IllegalStateException("the output of pid " + pid + " is pumped; it has no streams to read");
        }
        outputTaken.set(true);
        return s;
    }

    @Override
    public void pump(ByteSink stdoutSink, ByteSink stderrSink, Runnable onEnd) {
        Objects.requireNonNull(stdoutSink, "stdout sink");
        Objects.requireNonNull(stderrSink, "stderr sink");
        Objects.requireNonNull(onEnd, "onEnd");
        synchronized (this) {
            if (pumped != null || outputTaken.get()) {
                throw new IllegalStateException("the output of pid " + pid + " is already being read");
            }
            int outFd = stdout.detach();
            int errFd = stderr.detach();
            if (outFd < 0 || errFd < 0) {
                throw new IllegalStateException("the output of pid " + pid + " is closed");
            }
            pumped = new ProcessLoop.Pumped(this, outFd, stdoutSink, errFd, stderrSink, onEnd);
            // under the lock: a concurrent close() queues its detach after this registration
            loop.register(pumped);
        }
    }

    @Override
    public boolean isAlive() {
        return !tryCollect();
    }

    @Override
    public OptionalInt waitFor(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!tryCollect()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return OptionalInt.empty();
            }
            exited.await(Math.min(left, WAIT_STEP_NANOS), TimeUnit.NANOSECONDS);
        }
        return OptionalInt.of(exitCode);
    }

    @Override
    public long pid() {
        return pid;
    }

    /**
     * Collects the exit status if the child has exited; whether it has (now or before). Cheap enough to run on
     * every exec of a session (a direct-mapped {@code waitpid} into memory allocated once per child): an
     * interface-mapped call with a fresh {@code IntByReference} cost 5 to 230 µs and a native allocation each.
     */
    boolean tryCollect() {
        if (exited.getCount() == 0) {
            return true;
        }
        synchronized (exitLock) {
            if (exited.getCount() == 0) {
                return true;
            }
            int r = PosixIo.waitpid(pid, status, Posix.WNOHANG);
            if (r == 0) {
                return false;
            }
            if (r == pid) {
                exitCode = decode(status.getInt(0));
            } else {
                int errno = Native.getLastError();
                if (errno == Posix.EINTR) {
                    return false;
                }
                // ECHILD: collected elsewhere (SIGCHLD ignored by some native code); the status is lost
                LOG.debug("waitpid({}) failed: {}; its exit status is unknown", pid, libc.strerror(errno));
                exitCode = 255;
            }
            exited.countDown();
        }
        loop.collected(this);
        return true;
    }

    /** The shell's convention, as {@link Process#exitValue()} has it: the exit status, or 128 + the signal. */
    static int decode(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    /**
     * Kills the tree if the child still runs (SIGTERM to its process group and to every descendant, SIGKILL
     * after the grace), releases the pipes, then collects the exit. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (isAlive()) {
            destroyTree();
        }
        closeQuietly(stdin);
        ProcessLoop.Pumped p;
        synchronized (this) {
            p = pumped;
        }
        if (p != null) {
            loop.detach(p, DETACH_WAIT_MILLIS);
        } else {
            closeQuietly(stdout);
            closeQuietly(stderr);
        }
        long deadline = System.nanoTime() + COLLECT_AFTER_KILL_NANOS;
        try {
            while (!tryCollect() && System.nanoTime() - deadline < 0) {
                exited.await(WAIT_STEP_NANOS, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!tryCollect()) {
            LOG.warn("pid {} did not end after SIGKILL; the process loop collects it when it does", pid);
        }
    }

    private void destroyTree() {
        List<ProcessHandle> descendants = ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of());
        signalGroup(Posix.SIGTERM);
        descendants.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (System.nanoTime() - deadline < 0
                    && (isAlive() || groupAlive() || descendants.stream().anyMatch(ProcessHandle::isAlive))) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!tryCollect()) {
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
        }
        signalGroup(Posix.SIGKILL);
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Signals the child's process group, and the child itself while it has not been collected. */
    private void signalGroup(int signal) {
        synchronized (exitLock) {
            libc.kill(-pid, signal);
            if (exited.getCount() > 0) {
                libc.kill(pid, signal);
            }
        }
    }

    private boolean groupAlive() {
        synchronized (exitLock) {
            return libc.kill(-pid, 0) == 0 && exited.getCount() > 0;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.trace("close failed", e);
        }
    }

    @Override
    public String toString() {
        return "RunningCommand{pid " + pid + "}";
    }

    /**
     * A descriptor whose close waits for the read or write in progress (which the kill ends) instead of closing a
     * descriptor number that another thread is using.
     */
    private abstract static class Fd {
        final Posix libc;
        private int fd;
        private int busy;
        private boolean closed;

        Fd(Posix libc, int fd) {
            this.libc = libc;
            this.fd = fd;
        }

        synchronized int enter() throws IOException {
            if (closed) {
                throw new IOException("Stream closed");
            }
            busy++;
            return fd;
        }

        synchronized void exit() {
            busy--;
            if (closed && busy == 0 && fd >= 0) {
                libc.close(fd);
                fd = -1;
            }
        }

        /** Hands the descriptor over (for the loop); -1 if closed. */
        synchronized int detach() {
            if (closed) {
                return -1;
            }
            closed = true;
            int f = fd;
            fd = -1;
            return f;
        }

        synchronized void closeFd() {
            if (!closed) {
                closed = true;
                if (busy == 0 && fd >= 0) {
                    libc.close(fd);
                    fd = -1;
                }
            }
        }

        IOException failure(String op) {
            int errno = Native.getLastError();
            return new IOException(libc.strerror(errno) + " (" + op + ", errno " + errno + ")");
        }
    }

    /** Blocking reads of a child's output, for callers that do not pump it. */
    private static final class FdInputStream extends InputStream {
        private final Fd fd;
        private Memory buffer;

        FdInputStream(Posix libc, int fd) {
            this.fd = new Fd(libc, fd) {
            };
        }

        int detach() {
            return fd.detach();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            int f = fd.enter();
            try {
                if (buffer == null) {
                    buffer = new Memory(64 * 1024);
                }
                while (true) {
                    long n = PosixIo.read(f, buffer, Math.min(len, buffer.size()));
                    if (n > 0) {
                        buffer.read(0, b, off, (int) n);
                        return (int) n;
                    }
                    if (n == 0) {
                        return -1;
                    }
                    if (Native.getLastError() != Posix.EINTR) {
                        throw fd.failure("read");
                    }
                }
            } finally {
                fd.exit();
            }
        }

        @Override
        public void close() {
            fd.closeFd();
        }
    }

    /** Blocking writes to a child's stdin. */
    private static final class FdOutputStream extends OutputStream {
        private final Fd fd;
        private Memory buffer;

        FdOutputStream(Posix libc, int fd) {
            this.fd = new Fd(libc, fd) {
            };
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            int f = fd.enter();
            try {
                if (buffer == null) {
                    buffer = new Memory(64 * 1024);
                }
                while (len > 0) {
                    int chunk = (int) Math.min(len, buffer.size());
                    buffer.write(0, b, off, chunk);
                    int done = 0;
                    while (done < chunk) {
                        long n = PosixIo.write(f, buffer.share(done), chunk - done);
                        if (n >= 0) {
                            done += (int) n;
                        } else if (Native.getLastError() != Posix.EINTR) {
                            throw fd.failure("write");
                        }
                    }
                    off += chunk;
                    len -= chunk;
                }
            } finally {
                fd.exit();
            }
        }

        @Override
        public void close() {
            fd.closeFd();
        }
    }
}
