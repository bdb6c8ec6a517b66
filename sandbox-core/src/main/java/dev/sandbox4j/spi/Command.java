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

    public static Builder builder(List<String> argv) {
        return new Builder(argv);
    }

    public static Command of(List<String> argv, Duration timeout) {
        return builder(argv).timeout(timeout).build();
    }

    public List<String> argv() {
        return argv;
    }

    /** Variables set (or overridden) in the child's environment. */
    public Map<String, String> env() {
        return env;
    }

    /** Variables removed from the inherited environment. */
    public Set<String> unsetEnv() {
        return unsetEnv;
    }

    public Optional<byte[]> stdin() {
        return Optional.ofNullable(stdin);
    }

    public Duration timeout() {
        return timeout;
    }

    /** How long a process gets between SIGTERM and SIGKILL once its time is up. */
    public Duration grace() {
        return grace;
    }

    public Consumer<String> stdoutLines() {
        return stdoutLines;
    }

    public Consumer<String> stderrLines() {
        return stderrLines;
    }

    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** The argument list for logs: arguments listed with {@link Builder#redact} are replaced by "***". */
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

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder unsetEnv(String name) {
            unsetEnv.add(name);
            return this;
        }

        /** Text that must not appear in logs (e.g. environment values passed as arguments). */
        public Builder redact(String secret) {
            redact.add(secret);
            return this;
        }

        public Builder stdin(byte[] bytes) {
            this.stdin = bytes;
            return this;
        }

        /** Time limit; default 5 minutes. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Grace between SIGTERM and SIGKILL; default 2 seconds. */
        public Builder grace(Duration grace) {
            this.grace = grace;
            return this;
        }

        public Builder stdoutLines(Consumer<String> listener) {
            this.stdoutLines = listener;
            return this;
        }

        public Builder stderrLines(Consumer<String> listener) {
            this.stderrLines = listener;
            return this;
        }

        /** Bytes of each stream kept; default: about 2 GiB. */
        public Builder maxOutputBytes(int max) {
            this.maxOutputBytes = max;
            return this;
        }

        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        public Command build() {
            return new Command(this);
        }
    }
}
