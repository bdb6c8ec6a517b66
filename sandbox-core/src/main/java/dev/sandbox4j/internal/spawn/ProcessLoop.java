package dev.sandbox4j.internal.spawn;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.RunningCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts long-lived processes with {@code posix_spawnp} and serves the output of all of them from one thread.
 *
 * <p>Each child gets three pipes (stdin, stdout, stderr), every other descriptor closed
 * ({@code posix_spawn_file_actions_addclosefrom_np} on glibc, {@code POSIX_SPAWN_CLOEXEC_DEFAULT} on macOS), a
 * process group of its own (so its tree can be signalled as a whole), an empty signal mask and default
 * dispositions. The JVM starts no thread for it: no process reaper, no stream readers. The output of children
 * whose output is {@linkplain RunningCommand#pump pumped} is read, non-blocking, by the one loop thread
 * ({@code sandbox4j-process-loop}), which waits in {@code poll()} on all their pipes plus a self-pipe that wakes
 * it for new work. Exits are collected with {@code waitpid(pid, WNOHANG)}: when a child's output ends, once a
 * second for every child not yet collected, and whenever a caller asks ({@link RunningCommand#isAlive},
 * {@link RunningCommand#waitFor}), so no child stays a zombie and no thread waits per child.
 *
 * <p>On by default on Linux; on macOS only with {@code -Dsandbox4j.processLoop=true}. With
 * {@code -Dsandbox4j.processLoop=false}, or where libc lacks what it needs (glibc before 2.34), {@link #shared()}
 * is empty and processes start through {@link ProcessBuilder} as before.
 */
public final class ProcessLoop {
    /** System property: {@code false} turns the loop off, {@code true} turns it on where it is off by default. */
    public static final String PROPERTY = "sandbox4j.processLoop";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessLoop.class);
    private static final int CHUNK = 64 * 1024;
    /** Reads per stream per wake-up, so one busy child cannot starve the others. */
    private static final int READS_PER_TURN = 8;
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int SOON_MILLIS = 20;

    private static final Object INIT = new Object();
    private static volatile Optional<ProcessLoop> shared;

    final Posix libc;
    private final boolean chdir;
    private final int wakeRead;
    private final int wakeWrite;
    private final Memory wakeByte = new Memory(1);
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<LoopProcess> uncollected = ConcurrentHashMap.newKeySet();
    /** Loop thread only. */
    private final List<Stream> streams = new ArrayList<>();
    private final Set<LoopProcess> collectSoon = ConcurrentHashMap.newKeySet();
    private final Memory buffer = new Memory(CHUNK);
    private final byte[] bytes = new byte[CHUNK];
    private Memory pollFds = new Memory(8L * 64);
    private long nextTick = System.nanoTime() + TICK_NANOS;

    private ProcessLoop(Posix libc, boolean chdir) {
        this.libc = libc;
        this.chdir = chdir;
        int[] wake = pipe(libc);
        this.wakeRead = wake[0];
        this.wakeWrite = wake[1];
        nonBlocking(wakeRead);
        nonBlocking(wakeWrite);
        this.thread = new Thread(this::run, "sandbox4j-process-loop");
        thread.setDaemon(true);
        thread.start();
    }

    /** The JVM's loop, started on first use; empty where processes start through {@link ProcessBuilder}. */
    public static Optional<ProcessLoop> shared() {
        Optional<ProcessLoop> s = shared;
        if (s == null) {
            synchronized (INIT) {
                s = shared;
                if (s == null) {
                    s = Optional.ofNullable(create());
                    shared = s;
                }
            }
        }
        return s;
    }

    private static ProcessLoop create() {
        String setting = System.getProperty(PROPERTY, "");
        if (!wanted(setting, Platform.isLinux(), Platform.isMac())) {
            LOG.debug("process loop off ({}={}, {}); long-lived processes start through ProcessBuilder", PROPERTY,
                    setting, System.getProperty("os.name"));
            return null;
        }
        try {
            NativeLibrary c = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
            c.getFunction("posix_spawnp");
            Class.forName(PosixIo.class.getName(), true, ProcessLoop.class.getClassLoader());
            if (!Platform.isMac()) {
                c.getFunction("posix_spawn_file_actions_addclosefrom_np");
            }
            boolean chdir = exists(c, "posix_spawn_file_actions_addchdir_np");
            ProcessLoop loop = new ProcessLoop(Native.load(Platform.C_LIBRARY_NAME, Posix.class), chdir);
            LOG.debug("process loop on: long-lived processes start with posix_spawnp and share one I/O thread");
            return loop;
        } catch (LinkageError | RuntimeException | ClassNotFoundException e) {
            LOG.info("process loop unavailable ({}); long-lived processes start through ProcessBuilder", e.toString());
            return null;
        }
    }

    /** Whether the loop is to be used: on Linux unless {@code false}, on macOS only when {@code true}. */
    static boolean wanted(String setting, boolean linux, boolean mac) {
        String s = setting.strip();
        return linux ? !"false".equalsIgnoreCase(s) : mac && "true".equalsIgnoreCase(s);
    }

    private static boolean exists(NativeLibrary c, String function) {
        try {
            c.getFunction(function);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Whether this loop can start {@code command} (a working directory needs {@code addchdir_np}). */
    public boolean supports(Command command) {
        return chdir || command.directory().isEmpty();
    }

    /** Whether the caller is the loop thread (where sinks and end callbacks run). */
    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Whether the caller is the thread of the JVM's loop: whatever waits there for output the loop delivers
     * waits forever, so such callers take paths that do not need the loop.
     */
    public static boolean isLoopThread() {
        Optional<ProcessLoop> s = shared;
        return s != null && s.isPresent() && s.get().onLoopThread();
    }

    /**
     * Starts {@code command}: its argv (the program found on the JVM's PATH), the JVM's environment without
     * {@link Command#unsetEnv()} and with {@link Command#env()}, in {@link Command#directory()} if set.
     *
     * @throws SandboxException naming the command and libc's reason when it cannot be started
     */
    public RunningCommand start(Command command) {
        int[] in = pipe(libc);
        int[] out;
        int[] err;
        try {
            out = pipe(libc);
        } catch (SandboxException e) {
            closeAll(in);
            throw e;
        }
        try {
            err = pipe(libc);
        } catch (SandboxException e) {
            closeAll(in);
            closeAll(out);
            throw e;
        }
        IntByReference pid = new IntByReference();
        int rc;
        try {
            rc = spawn(command, in[0], out[1], err[1], pid);
        } catch (RuntimeException e) {  // a failed file action, or JNA refusing an argument (a NUL byte in it)
            closeAll(in);
            closeAll(out);
            closeAll(err);
            throw new SandboxException("cannot start `" + command.describe() + "`: " + e.getMessage(), e);
        }
        libc.close(in[0]);
        libc.close(out[1]);
        libc.close(err[1]);
        if (rc != 0) {
            libc.close(in[1]);
            libc.close(out[0]);
            libc.close(err[0]);
            throw new SandboxException("cannot start `" + command.describe() + "`: " + libc.strerror(rc)
                    + " (error " + rc + ")");
        }
        LoopProcess p = new LoopProcess(this, pid.getValue(), command.grace(), in[1], out[0], err[0]);
        uncollected.add(p);
        wake();
        return p;
    }

    /** Calls {@code posix_spawnp} with the child's ends of the pipes as 0, 1 and 2; its error number, or 0. */
    private int spawn(Command command, int stdin, int stdout, int stderr, IntByReference pid) {
        Memory actions = new Memory(Posix.OPAQUE_SIZE);
        Memory attr = new Memory(Posix.OPAQUE_SIZE);
        libc.posix_spawn_file_actions_init(actions);
        libc.posix_spawnattr_init(attr);
        try {
            check(libc.posix_spawn_file_actions_adddup2(actions, stdin, 0), "adddup2");
            check(libc.posix_spawn_file_actions_adddup2(actions, stdout, 1), "adddup2");
            check(libc.posix_spawn_file_actions_adddup2(actions, stderr, 2), "adddup2");
            if (!Posix.MAC) {
                check(libc.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
            }
            if (command.directory().isPresent()) {
                check(libc.posix_spawn_file_actions_addchdir_np(actions, command.directory().get().toString()),
                        "addchdir_np");
            }
            attributes(attr);
            String[] argv = command.argv().toArray(String[]::new);
            return libc.posix_spawnp(pid, argv[0], actions, attr, argv, environment(command));
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
            libc.posix_spawnattr_destroy(attr);
        }
    }

    /**
     * A process group of the child's own, an empty signal mask, and default dispositions for the signals a JVM
     * may have set to ignore; on macOS also every descriptor not named in a file action closed.
     */
    private void attributes(Memory attr) {
        short flags = Posix.POSIX_SPAWN_SETPGROUP | Posix.POSIX_SPAWN_SETSIGMASK | Posix.POSIX_SPAWN_SETSIGDEF;
        if (Posix.MAC) {
            flags |= Posix.POSIX_SPAWN_CLOEXEC_DEFAULT;
        }
        check(libc.posix_spawnattr_setflags(attr, flags), "setflags");
        check(libc.posix_spawnattr_setpgroup(attr, 0), "setpgroup");
        Memory mask = new Memory(Posix.OPAQUE_SIZE);
        libc.sigemptyset(mask);
        check(libc.posix_spawnattr_setsigmask(attr, mask), "setsigmask");
        Memory defaults = new Memory(Posix.OPAQUE_SIZE);
        libc.sigemptyset(defaults);
        for (int signal : new int[] {Posix.SIGHUP, Posix.SIGINT, Posix.SIGQUIT, Posix.SIGPIPE, Posix.SIGTERM,
                Posix.SIGXFSZ, Posix.SIGUSR1, Posix.SIGUSR2, Posix.SIGCHLD}) {
            libc.sigaddset(defaults, signal);
        }
        check(libc.posix_spawnattr_setsigdefault(attr, defaults), "setsigdefault");
    }

    private static String[] environment(Command command) {
        Map<String, String> env = new TreeMap<>(System.getenv());
        command.unsetEnv().forEach(env::remove);
        env.putAll(command.env());
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    private void check(int rc, String what) {
        if (rc != 0) {
            throw new SandboxException("posix_spawn_" + what + ": " + libc.strerror(rc));
        }
    }

    private static int[] pipe(Posix libc) {
        int[] fds = new int[2];
        if (Posix.MAC) {
            if (libc.pipe(fds) != 0) {
                throw new SandboxException("pipe: " + libc.strerror(Native.getLastError()));
            }
            libc.fcntl(fds[0], Posix.F_SETFD, Posix.FD_CLOEXEC);
            libc.fcntl(fds[1], Posix.F_SETFD, Posix.FD_CLOEXEC);
        } else if (libc.pipe2(fds, Posix.O_CLOEXEC) != 0) {
            throw new SandboxException("pipe: " + libc.strerror(Native.getLastError()));
        }
        return fds;
    }

    private void closeAll(int[] fds) {
        for (int fd : fds) {
            libc.close(fd);
        }
    }

    void nonBlocking(int fd) {
        int flags = libc.fcntl(fd, Posix.F_GETFL);
        if (flags < 0 || libc.fcntl(fd, Posix.F_SETFL, flags | Posix.O_NONBLOCK) < 0) {
            throw new SandboxException("fcntl(O_NONBLOCK): " + libc.strerror(Native.getLastError()));
        }
    }

    /** Hands both output descriptors of {@code p} to the loop; they are non-blocking from now on. */
    void register(Pumped pumped) {
        nonBlocking(pumped.out.fd);
        nonBlocking(pumped.err.fd);
        submit(() -> {
            streams.add(pumped.out);
            streams.add(pumped.err);
        });
    }

    /** Closes what is left of {@code pumped}'s output and runs its end callback; waits for that unless on the loop. */
    void detach(Pumped pumped, long waitMillis) {
        if (onLoopThread()) {
            pumped.endNow();
            return;
        }
        submit(pumped::endNow);
        try {
            if (!pumped.ended.await(waitMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("process loop did not release the output of pid {} within {} ms", pumped.owner.pid(),
                        waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void collected(LoopProcess p) {
        uncollected.remove(p);
        collectSoon.remove(p);
    }

    private void submit(Runnable task) {
        tasks.add(task);
        wake();
    }

    private void wake() {
        wakeByte.setByte(0, (byte) 1);
        PosixIo.write(wakeWrite, wakeByte, 1);  // EAGAIN: a wake-up is pending anyway
    }

    private void run() {
        while (true) {
            try {
                turn();
            } catch (Throwable t) {  // the loop serves every child: it must outlive any failure
                LOG.warn("process loop turn failed; continuing", t);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    LOG.trace("process loop interrupted; ignored", e);
                }
            }
        }
    }

    private void turn() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
        streams.removeIf(s -> s.fd < 0);
        int n = streams.size() + 1;
        if (pollFds.size() < 8L * n) {
            pollFds = new Memory(8L * Math.max(n, 2 * (pollFds.size() / 8)));
        }
        setPollFd(0, wakeRead);
        for (int i = 1; i < n; i++) {
            setPollFd(i, streams.get(i - 1).fd);
        }
        int timeout = !collectSoon.isEmpty() ? SOON_MILLIS : uncollected.isEmpty() ? -1 : 1000;
        int ready = PosixIo.poll(pollFds, n, timeout);
        if (ready < 0) {
            int errno = Native.getLastError();
            if (errno != Posix.EINTR) {
                throw new IllegalStateException("poll: " + libc.strerror(errno));
            }
        } else if (ready > 0) {
            if (pollFds.getShort(6) != 0) {
                drainWake();
            }
            for (int i = 1; i < n; i++) {
                if (pollFds.getShort(8L * i + 6) != 0) {
                    serve(streams.get(i - 1));
                }
            }
        }
        collect();
    }

    private void setPollFd(int i, int fd) {
        pollFds.setInt(8L * i, fd);
        pollFds.setShort(8L * i + 4, Posix.POLLIN);
        pollFds.setShort(8L * i + 6, (short) 0);
    }

    private void drainWake() {
        while (PosixIo.read(wakeRead, buffer, CHUNK) > 0) {
            // drained
        }
    }

    /** Reads what {@code s} has (a bounded number of chunks), hands it on, and ends it at EOF or error. */
    private void serve(Stream s) {
        for (int i = 0; i < READS_PER_TURN && s.fd >= 0; i++) {
            long n = PosixIo.read(s.fd, buffer, CHUNK);
            if (n > 0) {
                buffer.read(0, bytes, 0, (int) n);
                s.deliver(bytes, (int) n);
                if (n < CHUNK) {
                    return;
                }
            } else if (n == 0) {
                s.end();
                return;
            } else {
                int errno = Native.getLastError();
                if (errno == Posix.EAGAIN) {
                    return;
                }
                if (errno != Posix.EINTR) {
                    LOG.debug("reading output of pid {}: {}", s.pumped.owner.pid(), libc.strerror(errno));
                    s.end();
                    return;
                }
            }
        }
    }

    private void collect() {
        if (!collectSoon.isEmpty()) {  // no iterator per turn while nothing waits to be collected
            for (LoopProcess p : collectSoon) {
                p.tryCollect();
            }
        }
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
            nextTick = now + TICK_NANOS;
            for (LoopProcess p : uncollected) {
                p.tryCollect();
            }
        }
    }

    /** The pumped output of one process: two streams and the end callback. */
    static final class Pumped {
        final LoopProcess owner;
        final Stream out;
        final Stream err;
        private final Runnable onEnd;
        final CountDownLatch ended = new CountDownLatch(1);

        Pumped(LoopProcess owner, int outFd, RunningCommand.ByteSink out, int errFd, RunningCommand.ByteSink err,
               Runnable onEnd) {
            this.owner = owner;
            this.out = new Stream(this, outFd, out, "stdout");
            this.err = new Stream(this, errFd, err, "stderr");
            this.onEnd = onEnd;
        }

        /** Loop thread: closes both streams now. */
        void endNow() {
            out.end();
            err.end();
        }

        /** Loop thread: once both streams are closed, runs the callback and looks for the exit. */
        void streamEnded() {
            if (out.fd >= 0 || err.fd >= 0 || ended.getCount() == 0) {
                return;
            }
            try {
                onEnd.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("end callback for the output of pid {} failed", owner.pid(), e);
            } finally {
                ended.countDown();
            }
            if (!owner.tryCollect()) {
                owner.loop.collectSoon.add(owner);
            }
        }
    }

    /** One non-blocking output descriptor served by the loop. Loop thread only. */
    static final class Stream {
        final Pumped pumped;
        private final RunningCommand.ByteSink sink;
        private final String name;
        int fd;
        private boolean sinkFailed;

        Stream(Pumped pumped, int fd, RunningCommand.ByteSink sink, String name) {
            this.pumped = pumped;
            this.fd = fd;
            this.sink = sink;
            this.name = name;
        }

        void deliver(byte[] b, int n) {
            if (sinkFailed) {
                return;
            }
            try {
                sink.accept(b, 0, n);
            } catch (RuntimeException | Error e) {
                sinkFailed = true;
                LOG.warn("{} sink of pid {} failed; the rest of that stream is discarded", name, pumped.owner.pid(), e);
            }
        }

        void end() {
            if (fd >= 0) {
                pumped.owner.loop.libc.close(fd);
                fd = -1;
                pumped.streamEnded();
            }
        }
    }

    @Override
    public String toString() {
        return "ProcessLoop{uncollected=" + uncollected.size() + "}";
    }
}
