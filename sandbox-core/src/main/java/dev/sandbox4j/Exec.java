package dev.sandbox4j;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One command to run inside a sandbox: an argument list (never a shell string: arguments reach the program
 * as written, metacharacters and all), with optional environment, working directory, user, standard input and
 * time limit, and optionally a pseudo-terminal ({@link Builder#tty(boolean)}).
 *
 * <pre>{@code
 * Exec exec = Exec.of("python3", "-c", "print(1)").toBuilder()
 *         .env("PYTHONUNBUFFERED", "1")
 *         .timeout(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 */
public final class Exec {
    /** The time limit applied when none is set. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** How much of each output stream is kept when no other limit is set: 256 MiB. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

    private final List<String> command;
    private final Map<String, String> env;
    private final String workdir;
    private final String user;
    private final byte[] stdin;
    private final Duration timeout;
    private final int maxOutputBytes;
    private final ExecMode mode;
    private final boolean tty;

    private Exec(Builder b) {
        if (b.command.isEmpty()) {
            throw new SandboxConfigException("exec needs a command: pass at least the program name, e.g. exec(\"ls\", \"-l\")");
        }
        for (String arg : b.command) {
            if (arg == null) {
                throw new SandboxConfigException("exec argument must not be null: " + b.command);
            }
            if (arg.indexOf('\0') >= 0) {
                throw new SandboxConfigException("exec argument contains a NUL byte, which no program can receive: "
                        + arg.replace("\0", "\\0"));
            }
        }
        if (b.command.get(0).isEmpty()) {
            throw new SandboxConfigException("exec program name is empty: pass the program to run first");
        }
        b.env.forEach(SandboxSpec::checkEnv);
        if (b.workdir != null && !b.workdir.startsWith("/")) {
            throw new SandboxConfigException("exec workdir \"" + b.workdir + "\" must be an absolute path");
        }
        if (b.timeout.isNegative() || b.timeout.isZero()) {
            throw new SandboxConfigException("exec timeout must be positive, got " + b.timeout);
        }
        if (b.maxOutputBytes <= 0) {
            throw new SandboxConfigException("maxOutputBytes must be positive, got " + b.maxOutputBytes);
        }
        if (b.mode == null) {
            throw new SandboxConfigException("exec mode must not be null: use ExecMode.SESSION or ExecMode.PLAIN");
        }
        this.command = List.copyOf(b.command);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.workdir = b.workdir;
        this.user = b.user;
        this.stdin = b.stdin;
        this.timeout = b.timeout;
        this.maxOutputBytes = b.maxOutputBytes;
        this.mode = b.mode;
        this.tty = b.tty;
    }

    /**
     * An exec of {@code command} with every other setting at its default.
     *
     * @param command the program and its arguments, program first
     * @return the exec
     * @throws SandboxConfigException if the command is empty, the program name is empty, or an argument is null
     *         or contains NUL
     */
    public static Exec of(String... command) {
        return builder(command).build();
    }

    /**
     * An exec of {@code command} with every other setting at its default.
     *
     * @param command the program and its arguments, program first
     * @return the exec
     * @throws SandboxConfigException if the command is empty, the program name is empty, or an argument is null
     *         or contains NUL
     */
    public static Exec of(List<String> command) {
        return builder().command(command).build();
    }

    /**
     * A builder preset with {@code command}; everything else at its default.
     *
     * @param command the program and its arguments, program first; may be left empty and set with
     *                {@link Builder#command(List)}
     * @return a new builder
     */
    public static Builder builder(String... command) {
        return new Builder().command(Arrays.asList(command));
    }

    /**
     * A new builder holding every setting of this exec, to derive a variant; changing it does not change this exec.
     *
     * @return a fresh builder preset from this exec
     */
    public Builder toBuilder() {
        Builder b = new Builder().command(command).workdir(workdir).user(user).timeout(timeout)
                .maxOutputBytes(maxOutputBytes).mode(mode).tty(tty);
        b.env.putAll(env);
        b.stdin = stdin;
        return b;
    }

    /** {@return the program and its arguments, program first; unmodifiable} */
    public List<String> command() {
        return command;
    }

    /** {@return the environment variables set for this command only, on top of the sandbox's; unmodifiable} */
    public Map<String, String> env() {
        return env;
    }

    /** {@return the working directory for this command, or empty for the sandbox's default} */
    public Optional<String> workdir() {
        return Optional.ofNullable(workdir);
    }

    /** {@return the user for this command (name or uid[:gid]), or empty for the sandbox's default} */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** {@return the bytes fed to the command's standard input, a fresh copy, or empty when its stdin is empty} */
    public Optional<byte[]> stdin() {
        return Optional.ofNullable(stdin).map(byte[]::clone);
    }

    /**
     * {@return the time limit, after which the command's processes are killed; {@link #DEFAULT_TIMEOUT} unless set}
     */
    public Duration timeout() {
        return timeout;
    }

    /** {@return how many bytes of each output stream are kept; the rest is counted and dropped} */
    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    /** {@return how the command reaches the sandbox; {@link ExecMode#SESSION} unless set} */
    public ExecMode mode() {
        return mode;
    }

    /** {@return whether the command runs on a pseudo-terminal; see {@link Builder#tty(boolean)}; false unless set} */
    public boolean tty() {
        return tty;
    }

    @Override
    public String toString() {
        return "Exec" + command;
    }

    /** Mutable builder for {@link Exec}. */
    public static final class Builder {
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String workdir;
        private String user;
        private byte[] stdin;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private ExecMode mode = ExecMode.SESSION;
        private boolean tty;

        private Builder() {
        }

        /**
         * The program and its arguments. Replaces any earlier command.
         *
         * @param command the program and its arguments, program first
         * @return this builder
         */
        public Builder command(List<String> command) {
            this.command.clear();
            this.command.addAll(command);
            return this;
        }

        /**
         * Adds one environment variable for this command only, replacing an earlier value of the same name; default
         * none. The name and value are checked by {@link #build()}.
         *
         * @param name  the variable name: letters, digits and {@code _}, not starting with a digit
         * @param value the value, at most 128 KiB, without NUL
         * @return this builder
         */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /**
         * Working directory for this command; default: the sandbox's workdir.
         *
         * @param workdir an absolute path inside the sandbox, or {@code null} for the default
         * @return this builder
         */
        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        /**
         * User for this command; default: the sandbox's user.
         *
         * @param user a user name or {@code uid[:gid]}, or {@code null} for the default
         * @return this builder
         */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /**
         * Standard input for the command; default: none (empty). The array is copied.
         *
         * @param stdin the bytes to feed, or {@code null} for none
         * @return this builder
         */
        public Builder stdin(byte[] stdin) {
            this.stdin = stdin == null ? null : stdin.clone();
            return this;
        }

        /**
         * Standard input for the command as UTF-8 text; default: none (empty).
         *
         * @param stdin the text to feed; not null
         * @return this builder
         */
        public Builder stdin(String stdin) {
            return stdin(stdin.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Time limit; default 10 minutes. When it passes the command's processes are killed.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Bytes of each output stream kept in the result; default 256 MiB. Output beyond it is counted in
         * {@link ExecResult#droppedBytes()} and dropped.
         *
         * @param maxOutputBytes a positive byte count
         * @return this builder
         */
        public Builder maxOutputBytes(int maxOutputBytes) {
            this.maxOutputBytes = maxOutputBytes;
            return this;
        }

        /**
         * How the command reaches the sandbox; default {@link ExecMode#SESSION} (a persistent shell, falling back
         * to {@link ExecMode#PLAIN} where a session cannot run the exec). Ignored by
         * {@link Sandbox#start(Exec, ExecListener)}, which always uses a channel of its own.
         *
         * @param mode the mode; {@code null} makes {@link #build()} fail
         * @return this builder
         */
        public Builder mode(ExecMode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * Runs the command on a pseudo-terminal inside the sandbox, as {@code podman exec --tty} does; default
         * false. The command then sees a terminal ({@code test -t 1} succeeds, {@code tty} names a
         * {@code /dev/pts} device), so programs that behave differently on a terminal (shells, pagers, progress
         * bars, colour) do. What changes for the caller:
         * <ul>
         *   <li>stderr is merged into stdout, as on any terminal: {@link ExecResult#stderr()} is empty;</li>
         *   <li>the terminal's line discipline applies: line ends arrive as {@code \r\n}, and bytes written to
         *       standard input are echoed into the output (other bytes pass unchanged);</li>
         *   <li>the command always runs as {@link ExecMode#PLAIN} (a session shell has no terminal), and
         *       {@link Sandbox#start(Exec, ExecListener)} refuses it;</li>
         *   <li>the terminal's window size is not set (programs that need one read {@code COLUMNS} and
         *       {@code LINES}: pass them with {@link #env}).</li>
         * </ul>
         * A runtime that cannot allocate one for the call refuses it with {@link SandboxConfigException} (Apple's
         * {@code container} does for a command that also reads stdin).
         *
         * @param tty whether to run the command on a pseudo-terminal
         * @return this builder
         */
        public Builder tty(boolean tty) {
            this.tty = tty;
            return this;
        }

        /**
         * Checks every setting and makes the immutable exec.
         *
         * @return the exec
         * @throws SandboxConfigException if the command is empty or has an empty program name, an argument is null
         *         or contains NUL, an environment entry is invalid, the workdir is not absolute, the timeout or output
         *         limit is not positive, or the mode is null
         */
        public Exec build() {
            return new Exec(this);
        }
    }
}
