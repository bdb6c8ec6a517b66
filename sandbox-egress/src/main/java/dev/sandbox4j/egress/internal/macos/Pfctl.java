package dev.sandbox4j.egress.internal.macos;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs {@code pfctl} through the {@link CommandRunner} seam; argument lists come from {@link PfRuleset}. */
final class Pfctl {
    private static final Logger LOG = LoggerFactory.getLogger(Pfctl.class);

    private final CommandRunner runner;
    private final String path;

    Pfctl(CommandRunner runner, String path) {
        this.runner = runner;
        this.path = path;
    }

    String path() {
        return path;
    }

    CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
        Command.Builder b = Command.builder(argv).timeout(timeout);
        if (stdin != null) {
            b.stdin(stdin);
        }
        CommandResult r = runner.run(b.build());
        LOG.debug("pfctl: {} -> exit {} in {} ms", String.join(" ", argv), r.exitCode(), r.elapsed().toMillis());
        return r;
    }

    /** Runs and returns stdout plus stderr (pfctl prints much of what it says on stderr); throws on failure. */
    String require(List<String> argv, Duration timeout, String what) {
        return require(argv, null, timeout, what);
    }

    String require(List<String> argv, String stdin, Duration timeout, String what) {
        CommandResult r = run(argv, stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), timeout);
        if (r.exitCode() != 0) {
            throw new SandboxException("pfctl failed " + what + " (exit " + r.exitCode() + ", `"
                    + String.join(" ", argv) + "`): " + r.stderr().strip()
                    + (r.stderr().contains("Permission denied") ? "; pfctl needs root: run the JVM with sudo" : ""));
        }
        return r.stdout() + r.stderr();
    }
}
