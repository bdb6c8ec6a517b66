package dev.sandbox4j;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "run a shell command" tool an agent framework calls, backed by a sandbox: a command in, a bounded
 * {@link ShellResult} out. A command line given as a string runs as {@code sh -c LINE} (so pipes, redirections
 * and {@code &&} work, and so does everything else the shell offers — it runs inside the sandbox, which is the
 * point); an argument list runs as written, without a shell. Non-zero exits and time-outs are results, never
 * exceptions, so the model sees them and can react.
 *
 * <p>Long output keeps its head and its tail (errors are usually at the end): of each stream the first
 * {@link Builder#headBytes(int) headBytes} and the last {@link Builder#tailBytes(int) tailBytes} are kept, and a
 * line {@code [... N bytes cut ...]} stands where the middle was.
 *
 * <pre>{@code
 * ShellTool shell = ShellTool.builder(sandbox)
 *         .headBytes(4 * 1024)
 *         .tailBytes(12 * 1024)
 *         .timeout(Duration.ofSeconds(30))
 *         .build();
 * String forTheModel = shell.run("make test").render();
 * }</pre>
 *
 * Safe for use from several threads when the sandbox is.
 */
public final class ShellTool {
    /** Bytes kept of the start of each output stream unless set otherwise: 8 KiB. */
    public static final int DEFAULT_HEAD_BYTES = 8 * 1024;
    /** Bytes kept of the end of each output stream unless set otherwise: 8 KiB. */
    public static final int DEFAULT_TAIL_BYTES = 8 * 1024;
    /** Per-call time limit unless set otherwise: 60 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Sandbox sandbox;
    private final int headBytes;
    private final int tailBytes;
    private final Duration timeout;
    private final String workdir;
    private final Map<String, String> env;

    private ShellTool(Builder b) {
        this.sandbox = b.sandbox;
        this.headBytes = b.headBytes;
        this.tailBytes = b.tailBytes;
        this.timeout = b.timeout;
        this.workdir = b.workdir;
        this.env = Map.copyOf(b.env);
    }

    /**
     * A builder for a tool that runs commands in {@code sandbox}; the caller keeps owning (and closes) the sandbox.
     *
     * @param sandbox a started sandbox
     * @return a new builder
     * @throws SandboxConfigException if {@code sandbox} is null
     */
    public static Builder builder(Sandbox sandbox) {
        return new Builder(sandbox);
    }

    /** {@return the sandbox the commands run in} */
    public Sandbox sandbox() {
        return sandbox;
    }

    /** {@return the per-call time limit used when a call names none} */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs a command line with {@code sh -c}, with the tool's time limit.
     *
     * @param commandLine the shell command line, such as {@code "make test 2>&1 | tail"}
     * @return the result; a non-zero exit or a time-out is a result, not an exception
     * @throws SandboxClosedException if the sandbox is closed
     */
    public ShellResult run(String commandLine) {
        return run(List.of("sh", "-c", commandLine), null, timeout);
    }

    /**
     * Runs a command line with {@code sh -c} and its own time limit.
     *
     * @param commandLine the shell command line
     * @param timeout     the time limit for this call, positive
     * @return the result; a non-zero exit or a time-out is a result, not an exception
     * @throws SandboxConfigException if {@code timeout} is not positive
     * @throws SandboxClosedException if the sandbox is closed
     */
    public ShellResult run(String commandLine, Duration timeout) {
        return run(List.of("sh", "-c", commandLine), null, timeout);
    }

    /**
     * Runs an argument list as written (no shell), with the tool's time limit.
     *
     * @param argv the program and its arguments, program first
     * @return the result; a non-zero exit or a time-out is a result, not an exception
     * @throws SandboxConfigException if {@code argv} is empty or malformed
     * @throws SandboxClosedException if the sandbox is closed
     */
    public ShellResult run(List<String> argv) {
        return run(argv, null, timeout);
    }

    /**
     * Runs an argument list with {@code stdin} as its standard input, e.g. {@code python3 -} with a script.
     *
     * @param argv    the program and its arguments, program first
     * @param stdin   text fed to standard input as UTF-8, or {@code null} for none
     * @param timeout the time limit for this call, positive
     * @return the result; a non-zero exit or a time-out is a result, not an exception
     * @throws SandboxConfigException if {@code timeout} is not positive or {@code argv} is empty or malformed
     * @throws SandboxClosedException if the sandbox is closed
     */
    public ShellResult run(List<String> argv, String stdin, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new SandboxConfigException("timeout must be positive, got " + timeout);
        }
        int whole = headBytes + tailBytes;
        Exec.Builder exec = Exec.builder().command(argv)
                .timeout(timeout)
                .maxOutputBytes(whole);
        if (workdir != null) {
            exec.workdir(workdir);
        }
        env.forEach(exec::env);
        if (stdin != null) {
            exec.stdin(stdin);
        }
        HeadTail out = new HeadTail(headBytes, tailBytes);
        HeadTail err = new HeadTail(headBytes, tailBytes);
        ExecListener listener = new ExecListener() {
            @Override
            public void onStdout(String line) {
                out.add(line);
            }

            @Override
            public void onStderr(String line) {
                err.add(line);
            }
        };
        try {
            ExecResult r = sandbox.exec(exec.build(), listener);
            // Output that fit is taken byte for byte from the result; longer output from the head and tail kept.
            String stdout = r.stdoutBytes().length < whole ? r.stdout() : out.text();
            String stderr = r.stderrBytes().length < whole ? r.stderr() : err.text();
            return new ShellResult(argv, r.exitCode(), stdout, stderr,
                    r.stdoutBytes().length < whole ? 0 : out.cut(), r.stderrBytes().length < whole ? 0 : err.cut(),
                    false, r.elapsed());
        } catch (SandboxTimeoutException e) {
            return new ShellResult(argv, ShellResult.TIMED_OUT_EXIT_CODE, out.text(), err.text(), out.cut(),
                    err.cut(), true, timeout);
        }
    }

    /**
     * One output stream's first {@code head} bytes and last {@code tail} bytes, from lines as they arrive, with the
     * count of what lies between. Cuts fall on character boundaries.
     */
    static final class HeadTail {
        private final int head;
        private final int tail;
        private final StringBuilder first = new StringBuilder();
        private int firstBytes;
        private final Deque<byte[]> last = new ArrayDeque<>();
        private long lastBytes;
        private long cut;

        HeadTail(int head, int tail) {
            this.head = head;
            this.tail = tail;
        }

        synchronized void add(String line) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            int offset = 0;
            if (firstBytes < head) {
                int take = Math.min(head - firstBytes, bytes.length);
                take = boundary(bytes, take);
                first.append(new String(bytes, 0, take, StandardCharsets.UTF_8));
                firstBytes += take;
                offset = take;
                if (take < bytes.length) {
                    firstBytes = head;  // the head is full: the rest of this line goes to the tail
                }
            }
            if (offset == bytes.length) {
                return;
            }
            byte[] rest = offset == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, offset, bytes.length);
            last.addLast(rest);
            lastBytes += rest.length;
            while (lastBytes > tail && !last.isEmpty()) {
                byte[] oldest = last.peekFirst();
                long excess = lastBytes - tail;
                if (oldest.length <= excess) {
                    last.removeFirst();
                    lastBytes -= oldest.length;
                    cut += oldest.length;
                } else {
                    int drop = (int) excess;
                    while (drop < oldest.length && (oldest[drop] & 0xC0) == 0x80) {
                        drop++;  // never start the tail inside a character
                    }
                    last.removeFirst();
                    last.addFirst(java.util.Arrays.copyOfRange(oldest, drop, oldest.length));
                    lastBytes -= drop;
                    cut += drop;
                }
            }
        }

        private static int boundary(byte[] bytes, int end) {
            int e = end;
            while (e > 0 && e < bytes.length && (bytes[e] & 0xC0) == 0x80) {
                e--;
            }
            return e;
        }

        synchronized long cut() {
            return cut;
        }

        synchronized String text() {
            StringBuilder sb = new StringBuilder(first);
            if (cut > 0) {
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
                    sb.append('\n');
                }
                sb.append(ShellResult.cutMarker(cut)).append('\n');
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            last.forEach(bytes::writeBytes);
            sb.append(bytes.toString(StandardCharsets.UTF_8));
            return sb.toString();
        }
    }

    /** Mutable builder for {@link ShellTool}; each setter says its default. */
    public static final class Builder {
        private final Sandbox sandbox;
        private int headBytes = DEFAULT_HEAD_BYTES;
        private int tailBytes = DEFAULT_TAIL_BYTES;
        private Duration timeout = DEFAULT_TIMEOUT;
        private String workdir;
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(Sandbox sandbox) {
            if (sandbox == null) {
                throw new SandboxConfigException("a ShellTool needs a started sandbox");
            }
            this.sandbox = sandbox;
        }

        /**
         * Bytes kept of the start of each output stream; default 8 KiB. 0 keeps only the tail.
         *
         * @param bytes a byte count, 0 or more
         * @return this builder
         * @throws SandboxConfigException if {@code bytes} is negative
         */
        public Builder headBytes(int bytes) {
            if (bytes < 0) {
                throw new SandboxConfigException("headBytes must not be negative, got " + bytes);
            }
            this.headBytes = bytes;
            return this;
        }

        /**
         * Bytes kept of the end of each output stream; default 8 KiB. 0 keeps only the head.
         *
         * @param bytes a byte count, 0 or more
         * @return this builder
         * @throws SandboxConfigException if {@code bytes} is negative
         */
        public Builder tailBytes(int bytes) {
            if (bytes < 0) {
                throw new SandboxConfigException("tailBytes must not be negative, got " + bytes);
            }
            this.tailBytes = bytes;
            return this;
        }

        /**
         * Per-call time limit; default 60 seconds. At the limit the command's processes are killed.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws SandboxConfigException if {@code timeout} is null or not positive
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new SandboxConfigException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Working directory of every call; default: the sandbox's.
         *
         * @param workdir an absolute path inside the sandbox, or {@code null} for the sandbox's
         * @return this builder
         */
        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        /**
         * Adds an environment variable to every call, replacing an earlier value of the same name; default none
         * beyond the sandbox's. Checked when a call runs.
         *
         * @param name  the variable name
         * @param value the value
         * @return this builder
         */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /**
         * Makes the tool. The settings are copied, so the builder may be changed and reused afterwards.
         *
         * @return the tool
         * @throws SandboxConfigException if {@code headBytes} and {@code tailBytes} are both 0
         */
        public ShellTool build() {
            if (headBytes + tailBytes == 0) {
                throw new SandboxConfigException("headBytes and tailBytes are both 0, so no output would be kept: "
                        + "keep at least some of the head or the tail");
            }
            return new ShellTool(this);
        }
    }
}
