package dev.sandbox4j.internal.podman;

import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.spi.RuntimeProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Podman (rootful, 4.3 or later) on Linux. The binary is {@code podman} on PATH unless
 * {@code SANDBOX4J_PODMAN} names another.
 */
public final class PodmanProvider implements RuntimeProvider {
    public static final String NAME = "podman";
    static final String MINIMUM = "4.3";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    private static Optional<Path> binary(HostEnvironment host) {
        return host.findExecutable(host.env("SANDBOX4J_PODMAN").orElse("podman"));
    }

    @Override
    public boolean detect(HostEnvironment host) {
        try {
            return host.os() == HostEnvironment.Os.LINUX && binary(host).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String unavailableReason(HostEnvironment host) {
        if (host.os() != HostEnvironment.Os.LINUX) {
            return "podman is used on Linux only; this is " + host.os();
        }
        return host.env("SANDBOX4J_PODMAN").map(p -> "SANDBOX4J_PODMAN=" + p + " is not an executable file")
                .orElse("podman not found on PATH: install it with `apt-get install podman` (Debian/Ubuntu) or "
                        + "`dnf install podman` (Fedora/RHEL); as an ordinary user it runs rootless once the user has "
                        + "/etc/subuid and /etc/subgid ranges (`usermod --add-subuids 100000-165535 --add-subgids "
                        + "100000-165535 USER`)");
    }

    @Override
    public RuntimeBackend create(HostEnvironment host, CommandRunner runner) {
        String podman = binary(host).map(Path::toString).orElse("podman");
        CommandResult r = runner.run(Command.of(java.util.List.of(podman, "version", "--format", "json"),
                Duration.ofSeconds(30)));
        if (r.exitCode() != 0) {
            throw RuntimeUnavailableException.of("podman is installed but does not answer:",
                    Map.of(NAME, "`podman version` exited " + r.exitCode() + ": " + r.stderr().strip()));
        }
        String version = PodmanParser.serverVersion(r.stdout());
        if (compare(version, MINIMUM) < 0) {
            throw RuntimeUnavailableException.of("podman is too old:",
                    Map.of(NAME, "found " + version + ", need " + MINIMUM + " or later: upgrade podman"));
        }
        return new PodmanBackend(runner, podman, version);
    }

    /** Compares dotted versions numerically ("4.10" is after "4.3"). */
    static int compare(String a, String b) {
        String[] x = a.split("[.\\-+]");
        String[] y = b.split("[.\\-+]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? leadingInt(x[i]) : 0;
            int q = i < y.length ? leadingInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static int leadingInt(String s) {
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(s.substring(0, Math.min(end, 9)));
    }
}
