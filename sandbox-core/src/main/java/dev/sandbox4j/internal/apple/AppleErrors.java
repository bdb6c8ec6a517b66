package dev.sandbox4j.internal.apple;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.CommandResult;
import java.util.Locale;

/**
 * Pure mapping of failed {@code container} commands to exceptions. Exit code first (64 = usage), then the
 * {@code Error: } text by substring class, never by exact match: the wording changed in 0.10.0 and wrapped
 * errors nest ({@code internalError: "..." (cause: "notFound: ...")}).
 */
public final class AppleErrors {
    /** Exit status of swift-argument-parser validation failures. */
    public static final int EXIT_USAGE = 64;

    static final String START_HINT = "run `container system start` (after every reboot or login, and in a GUI "
            + "login session: it fails over plain ssh/CI launchd sessions, apple/container #205 #2008)";

    private AppleErrors() {
    }

    /** Classifies a failed command. */
    public static AppleErrorKind classify(int exitCode, String stderr) {
        String e = stderr.toLowerCase(Locale.ROOT);
        // before the service-down texts: a timeout names no connection error and means the service is up
        if (e.contains("xpc timeout for request")) {
            return AppleErrorKind.SERVICE_TIMEOUT;
        }
        if (e.contains("xpc connection error") || e.contains("has been started with `container system start`")
                || e.contains("apiserver is not running") || e.contains("system service is not running")
                || e.contains("run `container system start`")) {
            return AppleErrorKind.SERVICE_NOT_RUNNING;
        }
        if (exitCode == EXIT_USAGE) {
            return AppleErrorKind.USAGE;
        }
        if (e.contains("running under rosetta")) {
            return AppleErrorKind.ROSETTA;
        }
        if (e.contains("requires macos 26")) {
            return AppleErrorKind.NEEDS_MACOS_26;
        }
        if (e.contains("minimum memory amount")) {
            return AppleErrorKind.MEMORY_TOO_SMALL;
        }
        if (e.contains("address already in use") || e.contains("while binding to host port")) {
            return AppleErrorKind.PORT_UNAVAILABLE;
        }
        if (e.contains("invalid format for image reference")) {
            return AppleErrorKind.INVALID_REFERENCE;
        }
        if (e.contains("unauthorized")) {
            return AppleErrorKind.UNAUTHORIZED;
        }
        if (e.contains("is stopping and can not be deleted") || e.contains("is not yet stopped")) {
            return AppleErrorKind.STOPPING;
        }
        if (e.contains("with referring containers") || e.contains("has a pending operation")) {
            return AppleErrorKind.BUSY;
        }
        if (e.contains("is running and can not be deleted")) {
            return AppleErrorKind.STILL_RUNNING;
        }
        if (e.contains("is not running")) {
            return AppleErrorKind.NOT_RUNNING;
        }
        if (e.contains("already exist") || e.contains("exists: \"")) {
            return AppleErrorKind.ALREADY_EXISTS;
        }
        if (e.contains("not found") || e.contains("notfound") || e.contains("failed to delete one or more")
                || e.contains("no network for id")) {
            return AppleErrorKind.NOT_FOUND;
        }
        return AppleErrorKind.OTHER;
    }

    public static AppleErrorKind classify(CommandResult r) {
        return classify(r.exitCode(), r.stderr());
    }

    /** The CLI's own message: the {@code Error: } lines of stderr, without usage text. */
    public static String message(String stderr) {
        StringBuilder b = new StringBuilder();
        for (String line : stderr.strip().split("\n")) {
            String l = line.strip();
            if (l.startsWith("Usage:") || l.startsWith("See '")) {
                continue;
            }
            if (!l.isEmpty()) {
                b.append(b.length() == 0 ? "" : " ").append(l);
            }
        }
        String s = b.toString();
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    /**
     * The exception for a failed command: {@link SandboxConfigException} for what the caller must change,
     * {@link AppleCliException} with its {@link AppleErrorKind} for the rest. {@code what} says what was being
     * done ("starting sandbox sb4j-1").
     */
    public static SandboxException failure(CommandResult r, String what) {
        AppleErrorKind kind = classify(r);
        String said = message(r.stderr());
        String cmd = "`" + String.join(" ", r.argv().subList(1, r.argv().size())) + "`";
        return switch (kind) {
            case SERVICE_NOT_RUNNING -> new AppleCliException(what + " failed: the container system service is not "
                    + "running (" + said + "): " + START_HINT, kind, r.argv(), r.exitCode(), r.stderr());
            case SERVICE_TIMEOUT -> new AppleCliException(what + " failed: the container API server did not answer "
                    + "in time (" + said + "). The service is running but busy or hung, and the request may still "
                    + "complete: check `container list --all`; if this repeats, restart the service with `container "
                    + "system stop` and `container system start`", kind, r.argv(), r.exitCode(), r.stderr());
            case STOPPING -> new AppleCliException(what + " failed: the container is still stopping (" + said
                    + "); it can be deleted once it has stopped", kind, r.argv(), r.exitCode(), r.stderr());
            case USAGE -> new AppleCliException(what + " failed: container rejected the arguments of " + cmd + " ("
                    + said + "). The installed CLI does not accept what Sandbox4j sent: check the CLI version "
                    + "against docs/runtimes/apple-container.md and report it", kind, r.argv(), r.exitCode(),
                    r.stderr());
            case ROSETTA -> new SandboxConfigException(what + " failed: container refuses to run under Rosetta ("
                    + said + "): run an arm64 (native Apple silicon) JDK, not an x86_64 one");
            case NEEDS_MACOS_26 -> new SandboxConfigException(what + " failed: " + said
                    + ": upgrade to macOS 26 or use the default network only");
            case MEMORY_TOO_SMALL -> new SandboxConfigException(what + " failed: " + said
                    + ": ask for memory(\"200m\") or more");
            case PORT_UNAVAILABLE -> new SandboxConfigException(what + " failed: a published host port cannot be "
                    + "bound (" + said + "): choose a free port above 1023, or publish(containerPort) for any free one");
            case INVALID_REFERENCE -> new SandboxConfigException(what + " failed: " + said
                    + ": give an image reference such as docker.io/library/alpine:3.20");
            case UNAUTHORIZED -> new AppleCliException(what + " failed: " + said + ": log in with `container "
                    + "registry login <server>`, and never run container or this JVM under sudo (the API server "
                    + "belongs to your user)", kind, r.argv(), r.exitCode(), r.stderr());
            default -> new AppleCliException(what + " failed: " + cmd + " exited with " + r.exitCode()
                    + (said.isEmpty() ? "" : ": " + said), kind, r.argv(), r.exitCode(), r.stderr());
        };
    }
}
