package dev.sandbox4j.examples.agent;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * <pre>{@code
 * ShellTool shell = ShellTool.builder(sandbox)
 *         .maxOutputBytes(16 * 1024)
 *         .timeout(Duration.ofSeconds(30))
 *         .build();
 * String forTheModel = shell.run("ls -l /work | head").render();
 * }</pre>
 *
 * Safe for use from several threads when the sandbox is.
 */
public final class ShellTool {
    /** Bytes of each output stream kept unless set otherwise: 32 KiB. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024;
    /** Per-call time limit unless set otherwise: 60 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Sandbox sandbox;
    private final int maxOutputBytes;
    private final Duration timeout;
    private final String workdir;
    private final Map<String, String> env;

    private ShellTool(Builder b) {
        this.sandbox = b.sandbox;
        this.maxOutputBytes = b.maxOutputBytes;
        this.timeout = b.timeout;
        this.workdir = b.workdir;
        this.env = Map.copyOf(b.env);
    }

    /** A builder for a tool that runs commands in {@code sandbox}; the caller keeps owning (and closes) the sandbox. */
    public static Builder builder(Sandbox sandbox) {
        return new Builder(sandbox);
    }

    /** Runs a command line with {@code sh -c}, with the tool's time limit. */
    public ShellResult run(String commandLine) {
        return run(List.of("sh", "-c", commandLine), null, timeout);
    }

    /** Runs a command line with {@code sh -c} and its own time limit. */
    public ShellResult run(String commandLine, Duration timeout) {
        return run(List.of("sh", "-c", commandLine), null, timeout);
    }

    /** Runs an argument list as written (no shell). */
    public ShellResult run(List<String> argv) {
        return run(argv, null, timeout);
    }

    /** Runs an argument list with {@code stdin} as its standard input, e.g. {@code python3 -} with a script. */
    public ShellResult run(List<String> argv, String stdin, Duration timeout) {
        Exec.Builder exec = Exec.builder(argv.toArray(String[]::new))
                .timeout(timeout)
                .maxOutputBytes(maxOutputBytes);
        if (workdir != null) {
            exec.workdir(workdir);
        }
        env.forEach(exec::env);
        if (stdin != null) {
            exec.stdin(stdin);
        }
        PartialOutput partial = new PartialOutput(maxOutputBytes);
        try {
            ExecResult r = sandbox.exec(exec.build(), partial);
            return new ShellResult(argv, r.exitCode(), r.stdout(), r.stderr(), r.droppedBytes(), maxOutputBytes,
                    false, r.elapsed());
        } catch (SandboxTimeoutException e) {
            return new ShellResult(argv, ShellResult.TIMED_OUT_EXIT_CODE, partial.stdout(), partial.stderr(),
                    partial.dropped(), maxOutputBytes, true, timeout);
        }
    }

    /**
     * What a command printed before it was killed: the exec result is lost with a time-out, so the tool keeps
     * its own bounded copy of the lines as they arrive.
     */
    private static final class PartialOutput implements ExecListener {
        private final int cap;
        private final StringBuilder out = new StringBuilder();
        private final StringBuilder err = new StringBuilder();
        private long outBytes;
        private long errBytes;
        private long dropped;

        PartialOutput(int cap) {
            this.cap = cap;
        }

        @Override
        public synchronized void onStdout(String line) {
            outBytes = append(out, outBytes, line);
        }

        @Override
        public synchronized void onStderr(String line) {
            errBytes = append(err, errBytes, line);
        }

        private long append(StringBuilder sb, long used, String line) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            long room = Math.max(0, cap - used);
            if (bytes.length <= room) {
                sb.append(line).append('\n');
            } else {
                sb.append(new String(bytes, 0, (int) room, StandardCharsets.UTF_8).replace("\uFFFD", ""));
                dropped += bytes.length - room;
            }
            return used + bytes.length;
        }

        synchronized String stdout() {
            return out.toString();
        }

        synchronized String stderr() {
            return err.toString();
        }

        synchronized long dropped() {
            return dropped;
        }
    }

    /** Mutable builder for {@link ShellTool}; each setter says its default. */
    public static final class Builder {
        private final Sandbox sandbox;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private Duration timeout = DEFAULT_TIMEOUT;
        private String workdir;
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(Sandbox sandbox) {
            if (sandbox == null) {
                throw new SandboxConfigException("a ShellTool needs a started sandbox");
            }
            this.sandbox = sandbox;
        }

        /** Bytes kept of each of stdout and stderr (the first ones); default 32 KiB. The rest is counted and dropped. */
        public Builder maxOutputBytes(int bytes) {
            if (bytes <= 0) {
                throw new SandboxConfigException("maxOutputBytes must be positive, got " + bytes);
            }
            this.maxOutputBytes = bytes;
            return this;
        }

        /** Per-call time limit; default 60 seconds. At the limit the command's processes are killed. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new SandboxConfigException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Working directory of every call; default: the sandbox's. */
        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        /** Adds an environment variable to every call; default none beyond the sandbox's. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public ShellTool build() {
            return new ShellTool(this);
        }
    }
}
