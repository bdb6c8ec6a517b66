package dev.sandbox4j.spi;

import dev.sandbox4j.SandboxConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One OS process for the {@link CommandRunner} to run: an argument list (never a shell string), environment
 * changes, optional stdin, a time limit, line listeners and an output cap.
 */
public final class Command {
    private final List<String> argv;
    private final Map<String, String> env;
    private final Set<String> unsetEnv;
    private final Set<String> redact;
    private final byte[] stdin;
    private final Duration timeout;
    private final Duration grace;
    private final Consumer<String> stdoutLines;
    private final Consumer<String> stderrLines;
    private final int maxOutputBytes;
    private final Path directory;

    private Command(Builder b) {
        if (b.argv.isEmpty()) {
            throw new SandboxConfigException("a command needs at least the program name");
        }
        this.argv = List.copyOf(b.argv);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.unsetEnv = Set.copyOf(b.unsetEnv);
        this.redact = Set.copyOf(b.redact);
        this.stdin = b.stdin;
        this.timeout = b.timeout;
        this.grace = b.grace;
        this.stdoutLines = b.stdoutLines;
        this.stderrLines = b.stderrLines;
        this.maxOutputBytes = b.maxOutputBytes;
        this.directory = b.directory;
    }

    /**
     * A builder for a command running {@code argv}; everything else at its default.
     *
     * @param argv the program and its arguments, program first; copied
     * @return a new builder
     */
    public static Builder builder(List<String> argv) {
        return new Builder(argv);
    }

    /**
     * A command running {@code argv} with the given time limit and every other setting at its default.
     *
     * @param argv    the program and its arguments, program first
     * @param timeout the time limit
     * @return the command
     * @throws SandboxConfigException if {@code argv} is empty
     */
    public static Command of(List<String> argv, Duration timeout) {
        return builder(argv).timeout(timeout).build();
    }

    /** {@return the program and its arguments, program first; unmodifiable} */
    public List<String> argv() {
        return argv;
    }

    /** {@return variables set (or overridden) in the child's environment; unmodifiable} */
    public Map<String, String> env() {
        return env;
    }

    /** {@return variables removed from the inherited environment; unmodifiable} */
    public Set<String> unsetEnv() {
        return unsetEnv;
    }

    /** {@return the bytes written to the process's standard input (then closed), or empty for none} */
    public Optional<byte[]> stdin() {
        return Optional.ofNullable(stdin);
    }

    /** {@return the time limit, after which the process tree is terminated} */
    public Duration timeout() {
        return timeout;
    }

    /** {@return how long a process gets between SIGTERM and SIGKILL once its time is up} */
    public Duration grace() {
        return grace;
    }

    /** {@return the listener that receives each line of standard output while the process runs} */
    public Consumer<String> stdoutLines() {
        return stdoutLines;
    }

    /** {@return the listener that receives each line of standard error while the process runs} */
    public Consumer<String> stderrLines() {
        return stderrLines;
    }

    /** {@return how many bytes of each output stream are kept in the result; the rest is counted and dropped} */
    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    /** {@return the working directory of the process, or empty for the JVM's} */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /**
     * {@return the argument list for logs, joined with spaces: text listed with {@link Builder#redact} is replaced by
     * {@code ***}}
     */
    public String describe() {
        List<String> shown = new ArrayList<>(argv.size());
        for (String a : argv) {
            String s = a;
            for (String secret : redact) {
                if (!secret.isEmpty()) {
                    s = s.replace(secret, "***");
                }
            }
            shown.add(s);
        }
        return String.join(" ", shown);
    }

    /** Mutable builder for {@link Command}. */
    public static final class Builder {
        private final List<String> argv;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Set<String> unsetEnv = new LinkedHashSet<>();
        private final Set<String> redact = new LinkedHashSet<>();
        private byte[] stdin;
        private Duration timeout = Duration.ofMinutes(5);
        private Duration grace = Duration.ofSeconds(2);
        private Consumer<String> stdoutLines = line -> { };
        private Consumer<String> stderrLines = line -> { };
        private int maxOutputBytes = Integer.MAX_VALUE - 64;
        private Path directory;

        private Builder(List<String> argv) {
            this.argv = new ArrayList<>(argv);
        }

        /**
         * Sets (or overrides) a variable in the child's environment; default: the inherited environment unchanged.
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
         * Removes a variable from the inherited environment; default: none removed.
         *
         * @param name the variable name
         * @return this builder
         */
        public Builder unsetEnv(String name) {
            unsetEnv.add(name);
            return this;
        }

        /**
         * Text that must not appear in logs (e.g. environment values passed as arguments); {@link Command#describe()}
         * shows {@code ***} instead. Default: none.
         *
         * @param secret the text to hide; empty text is ignored
         * @return this builder
         */
        public Builder redact(String secret) {
            redact.add(secret);
            return this;
        }

        /**
         * Standard input for the process; default: none. The array is not copied.
         *
         * @param bytes the bytes to write, or {@code null} for none
         * @return this builder
         */
        public Builder stdin(byte[] bytes) {
            this.stdin = bytes;
            return this;
        }

        /**
         * Time limit; default 5 minutes.
         *
         * @param timeout the time limit
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Grace between SIGTERM and SIGKILL; default 2 seconds.
         *
         * @param grace the grace period
         * @return this builder
         */
        public Builder grace(Duration grace) {
            this.grace = grace;
            return this;
        }

        /**
         * Receives each line of standard output (without terminator) while the process runs; default: none.
         *
         * @param listener the listener, called from a reader thread
         * @return this builder
         */
        public Builder stdoutLines(Consumer<String> listener) {
            this.stdoutLines = listener;
            return this;
        }

        /**
         * Receives each line of standard error (without terminator) while the process runs; default: none.
         *
         * @param listener the listener, called from a reader thread
         * @return this builder
         */
        public Builder stderrLines(Consumer<String> listener) {
            this.stderrLines = listener;
            return this;
        }

        /**
         * Bytes of each stream kept in the result; default: about 2 GiB. Listeners still see every line.
         *
         * @param max the byte count
         * @return this builder
         */
        public Builder maxOutputBytes(int max) {
            this.maxOutputBytes = max;
            return this;
        }

        /**
         * Working directory of the process; default: the JVM's.
         *
         * @param directory the directory, or {@code null} for the JVM's
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /**
         * Makes the immutable command.
         *
         * @return the command
         * @throws SandboxConfigException if the argument list is empty
         */
        public Command build() {
            return new Command(this);
        }
    }
}
