package dev.sandbox4j.egress.internal.nft;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived {@code nft --echo --interactive} process that applies small rule changes (set elements) in
 * well under a millisecond, instead of one {@code nft} process (about 5 ms) per change. Each command is a
 * transaction: nft confirms it with a "# new generation" line on stdout or rejects it with "Error:" on stderr.
 * Commands are applied one at a time; a command that gets no answer in time fails, and the process is restarted
 * for the next one. Whole tables are created and deleted with {@link #applyScript}, one {@code nft -f -} each.
 */
public final class NftShell implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NftShell.class);
    private static final String GENERATION = "# new generation";
    /** How long a closing updater may take to end on end of input before it is killed. */
    private static final Duration EOF_GRACE = Duration.ofSeconds(1);

    private final CommandRunner runner;
    private final List<String> nft;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile RunningCommand process;
    private OutputStream stdin;
    private volatile CompletableFuture<Void> pending;
    private boolean closed;

    /**
     * Runs {@code nft} (a path or a name on PATH) directly, in the JVM's own network namespace.
     *
     * @param runner the runner every nft process goes through
     * @param nft    the nft binary, a path or a name on PATH
     */
    public NftShell(CommandRunner runner, String nft) {
        this(runner, List.of(nft));
    }

    /**
     * Runs {@code nft} through a prefix, such as {@code nsenter --net=FILE /usr/sbin/nft}: {@code command} is the
     * whole argument list that starts nft; nft's own arguments are appended.
     *
     * @param runner  the runner every nft process goes through
     * @param command the argument list that starts nft; copied
     * @throws IllegalArgumentException if {@code command} is empty
     */
    public NftShell(CommandRunner runner, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no nft command");
        }
        this.runner = runner;
        this.nft = List.copyOf(command);
    }

    /** {@return the pid of the persistent process while it runs, else empty} */
    public java.util.OptionalLong updaterPid() {
        RunningCommand p = process;
        return p != null && p.isAlive() ? java.util.OptionalLong.of(p.pid()) : java.util.OptionalLong.empty();
    }

    /**
     * Applies a whole script atomically with one {@code nft -f -}; throws with nft's message when it fails.
     *
     * @param script  the nft script
     * @param timeout how long nft may take
     * @throws dev.sandbox4j.SandboxException if nft rejects the script
     */
    public void applyScript(String script, Duration timeout) {
        CommandResult r = runner.run(Command.builder(argv("-f", "-"))
                .stdin(script.getBytes(StandardCharsets.UTF_8)).timeout(timeout).build());
        if (r.exitCode() != 0) {
            throw new SandboxException("nft rejected the rules (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
    }

    /**
     * Runs {@code nft <args>} once and returns its stdout.
     *
     * @param args    nft's arguments
     * @param timeout how long nft may take
     * @return nft's standard output
     * @throws dev.sandbox4j.CommandFailedException if nft exits non-zero
     */
    public String query(List<String> args, Duration timeout) {
        return runner.run(Command.of(argv(args.toArray(String[]::new)), timeout)).requireSuccess().stdout();
    }

    /**
     * Starts the persistent process now rather than on the first {@link #apply}.
     *
     * @param timeout unused: starting does not wait for nft
     */
    public void start(Duration timeout) {
        lock.lock();
        try {
            ensureStarted();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies one command through the persistent process and waits for nft's confirmation.
     *
     * @param command one nft command, without a newline
     * @param timeout how long to wait for the lock and for nft's confirmation
     * @throws IllegalArgumentException if {@code command} contains a newline
     * @throws dev.sandbox4j.SandboxException if nft rejects the command, does not confirm in time, or the thread is
     *         interrupted
     */
    public void apply(String command, Duration timeout) {
        if (command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line per command");
        }
        boolean locked;
        try {
            locked = lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting to update firewall sets", e);
        }
        if (!locked) {
            throw new SandboxException("firewall update queue busy for more than " + timeout.toMillis() + " ms");
        }
        try {
            ensureStarted();
            CompletableFuture<Void> done = new CompletableFuture<>();
            pending = done;
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            restart();
            throw new SandboxException("nft did not confirm `" + command + "` within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new SandboxException("nft rejected `" + command + "`: " + e.getCause().getMessage());
        } catch (IOException e) {
            restart();
            throw new SandboxException("nft process is gone: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            restart();
            throw new SandboxException("interrupted while updating firewall sets", e);
        } finally {
            pending = null;
            lock.unlock();
        }
    }

    private void ensureStarted() {
        if (closed) {
            throw new SandboxException("nft shell is closed");
        }
        if (process != null && process.isAlive()) {
            return;
        }
        RunningCommand p = runner.start(Command.builder(argv("--echo", "--interactive")).build());
        process = p;
        stdin = p.stdin();
        p.pump(new Lines(line -> answer(line, false)), new Lines(line -> answer(line, true)), () -> ended(p));
    }

    private List<String> argv(String... args) {
        List<String> a = new java.util.ArrayList<>(nft);
        a.addAll(List.of(args));
        return a;
    }

    /** One line nft wrote; runs on the runner's output thread and never blocks. */
    private void answer(String line, boolean errors) {
        CompletableFuture<Void> f = pending;
        if (errors && line.startsWith("Error:")) {
            if (f != null) {
                f.completeExceptionally(new SandboxException(line));
            } else {
                LOG.warn("nft: {}", line);
            }
        } else if (!errors && line.startsWith(GENERATION) && f != null) {
            f.complete(null);
        }
    }

    private void ended(RunningCommand p) {
        CompletableFuture<Void> f = pending;
        if (f != null && process == p) {
            f.completeExceptionally(new SandboxException("nft exited"));
        }
    }

    /** Cuts one output stream into UTF-8 lines (without terminator). */
    private static final class Lines implements RunningCommand.ByteSink {
        private final java.util.function.Consumer<String> consumer;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(java.util.function.Consumer<String> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void accept(byte[] bytes, int offset, int length) {
            int start = offset;
            int end = offset + length;
            for (int i = offset; i < end; i++) {
                if (bytes[i] == '\n') {
                    line.write(bytes, start, i - start);
                    String s = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    start = i + 1;
                    consumer.accept(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s);
                }
            }
            line.write(bytes, start, end - start);
        }
    }

    private void restart() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /**
     * Ends the updater: its stdin is closed first, so nft ends on end of input, and only a process still alive
     * after {@link #EOF_GRACE} is killed. Rootless, the updater runs under {@code podman unshare}, which does not
     * end on SIGTERM within the kill grace; without the end of input every close would wait out that grace.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            RunningCommand p = process;
            if (p != null && p.isAlive()) {
                try {
                    stdin.close();
                    p.waitFor(EOF_GRACE);
                } catch (IOException e) {
                    LOG.trace("nft stdin already closed", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            restart();
        } finally {
            lock.unlock();
        }
    }
}
