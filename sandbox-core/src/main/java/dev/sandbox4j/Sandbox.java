package dev.sandbox4j;

import dev.sandbox4j.egress.EgressLog;
import java.nio.file.Path;
import java.util.Map;

/**
 * A running sandbox: one container or lightweight VM, started from a {@link SandboxSpec} and never
 * reconfigured. Close it to remove the container and everything made for it; {@code close()} is idempotent.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.builder().image("localhost/busybox:latest").start()) {
 *     ExecResult r = sandbox.exec("sh", "-c", "echo hi");
 * }
 * }</pre>
 *
 * Instances are safe for use from several threads.
 */
public interface Sandbox extends AutoCloseable {

    /** A new builder with every setting at its default. */
    static SandboxSpec.Builder builder() {
        return new SandboxSpec.Builder();
    }

    /**
     * A handle on a running sandbox that was started with {@code detached(true)}, possibly by another JVM, found
     * by its id or name on the detected runtime. What the handle can do: exec, copy, logs, ports, close (which
     * removes the container). What it cannot: report the original spec beyond image, labels and runtime. Only
     * allow-all sandboxes can be detached, so there is no egress interceptor to re-attach.
     *
     * @throws SandboxConfigException when no such sandbox exists or it is not detached
     */
    static Sandbox attach(String idOrName) {
        return SandboxRuntime.shared().attach(idOrName);
    }

    /** The runtime's id of the container. */
    String id();

    /**
     * The name Sandbox4j gave the container ({@code sb4j-} and 12 hex digits): what {@link Sandboxes#list()}
     * reports, what the audit log calls it, and what {@link Sandboxes#find(String)} and {@code sandbox exec} accept.
     */
    String name();

    /** The spec this sandbox was started from. */
    SandboxSpec spec();

    /** The name of the runtime running it, e.g. "podman". */
    String runtimeName();

    /** Runs a command and waits for it; see {@link #exec(Exec, ExecListener)}. */
    default ExecResult exec(String... command) {
        return exec(Exec.of(command), ExecListener.NONE);
    }

    default ExecResult exec(Exec exec) {
        return exec(exec, ExecListener.NONE);
    }

    /**
     * Runs a command, streaming its output lines to {@code listener} while it runs, and returns its result.
     * A non-zero exit is a result; a command still running at its timeout is killed and
     * {@link SandboxTimeoutException} is thrown. By default the command goes through one of the sandbox's
     * persistent exec sessions ({@link ExecMode#SESSION}); {@link Exec.Builder#mode(ExecMode)} can force one
     * runtime CLI process per command instead.
     */
    ExecResult exec(Exec exec, ExecListener listener);

    /** Starts a command in the background; see {@link #start(Exec, ExecListener)}. */
    default BackgroundProcess start(Exec exec) {
        return start(exec, ExecListener.NONE);
    }

    /**
     * Starts a command in the background, in a process group of its own, and returns at once with a handle
     * to it. Output lines stream to {@code listener} while it runs. {@link Exec#timeout()} does not apply: the
     * command runs until it exits, is killed, its handle is closed, or the sandbox is closed.
     * {@link Exec#stdin()}, if set, is written first; the standard input then stays open for
     * {@link BackgroundProcess#writeStdin(byte[])}.
     */
    BackgroundProcess start(Exec exec, ExecListener listener);

    /** The host port on 127.0.0.1 (or the mapping's host IP) that container TCP port {@code containerPort} is published on. */
    int hostPort(int containerPort);

    /** All published TCP ports, container port to host port. */
    Map<Integer, Integer> hostPorts();

    /**
     * The sandbox's files, read and written from memory (binary-safe, streamed in chunks for large files);
     * relative paths are taken against the workdir. See {@link SandboxFiles}.
     */
    default SandboxFiles files() {
        return SandboxFiles.of(this);
    }

    /**
     * Copies a host file or directory into the sandbox, as {@code podman cp} does on every runtime: permission bits
     * are kept; onto an existing directory it lands inside it, onto a new path it takes that name; the parent
     * directory of {@code target} must exist.
     */
    void copyTo(Path source, String target);

    /** Copies a file or directory out of the sandbox, with the same rules as {@link #copyTo(Path, String)}. */
    void copyFrom(String source, Path target);

    /** Everything the main process has written to stdout and stderr so far. */
    String logs();

    /**
     * Follows the main process's output: the lines written so far, then each new line as it is written, reach
     * {@code listener} from a reader thread until the main process ends or the returned stream is closed. The
     * runtime decides how stdout and stderr arrive: Podman keeps them apart, Apple's {@code container} delivers both
     * as stdout. A runtime that cannot follow logs refuses with {@link SandboxConfigException}.
     */
    LogStream followLogs(ExecListener listener);

    /** The egress audit trail: every DNS decision and dropped connection; empty when egress is unrestricted. */
    EgressLog egressLog();

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    /** Stops and removes the container and everything made for it. Idempotent. */
    @Override
    void close();
}
