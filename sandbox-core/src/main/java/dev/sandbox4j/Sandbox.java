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

    /** {@return a new builder with every setting at its default} */
    static SandboxSpec.Builder builder() {
        return new SandboxSpec.Builder();
    }

    /**
     * A handle on a running sandbox that was started with {@code detached(true)}, possibly by another JVM, found
     * by its id or name on the detected runtime. What the handle can do: exec, copy, logs, ports, close (which
     * removes the container). What it cannot: report the original spec beyond image, labels and runtime. Only
     * allow-all sandboxes can be detached, so there is no egress interceptor to re-attach.
     *
     * @param idOrName the container id or the {@code sb4j-} name
     * @return a handle on the sandbox; closing it removes the container
     * @throws SandboxConfigException when no such sandbox exists or it is not detached
     * @throws RuntimeUnavailableException if no container runtime can be used on this machine
     */
    static Sandbox attach(String idOrName) {
        return SandboxRuntime.shared().attach(idOrName);
    }

    /** {@return the runtime's id of the container} */
    String id();

    /**
     * The name Sandbox4j gave the container ({@code sb4j-} and 12 hex digits): what {@link Sandboxes#list()}
     * reports, what the audit log calls it, and what {@link Sandboxes#find(String)} and {@code sandbox exec} accept.
     *
     * @return the container name
     */
    String name();

    /** {@return the spec this sandbox was started from} */
    SandboxSpec spec();

    /** {@return the name of the runtime running it, e.g. {@code "podman"}} */
    String runtimeName();

    /**
     * Runs a command with default settings and waits for it; see {@link #exec(Exec, ExecListener)}.
     *
     * @param command the program and its arguments, program first
     * @return the result, whatever the exit code
     * @throws SandboxConfigException if the command is empty or malformed
     * @throws SandboxTimeoutException if the command was still running after {@link Exec#DEFAULT_TIMEOUT}
     * @throws SandboxClosedException if the sandbox is closed
     */
    default ExecResult exec(String... command) {
        return exec(Exec.of(command), ExecListener.NONE);
    }

    /**
     * Runs a command and waits for it, without a listener; see {@link #exec(Exec, ExecListener)}.
     *
     * @param exec the command and its settings
     * @return the result, whatever the exit code
     * @throws SandboxTimeoutException if the command was still running at {@link Exec#timeout()}
     * @throws SandboxClosedException if the sandbox is closed
     */
    default ExecResult exec(Exec exec) {
        return exec(exec, ExecListener.NONE);
    }

    /**
     * Runs a command, streaming its output lines to {@code listener} while it runs, and returns its result.
     * A non-zero exit is a result; a command still running at its timeout is killed and
     * {@link SandboxTimeoutException} is thrown. By default the command goes through one of the sandbox's
     * persistent exec sessions ({@link ExecMode#SESSION}); {@link Exec.Builder#mode(ExecMode)} can force one
     * runtime CLI process per command instead. Several execs may run at the same time.
     *
     * @param exec     the command and its settings
     * @param listener receives output lines from reader threads; {@link ExecListener#NONE} for none
     * @return the result, whatever the exit code
     * @throws SandboxTimeoutException if the command was still running at {@link Exec#timeout()}; it carries the
     *         output so far
     * @throws SandboxClosedException if the sandbox is closed
     * @throws SandboxException if the runtime could not run the command at all
     */
    ExecResult exec(Exec exec, ExecListener listener);

    /**
     * Starts a command in the background without a listener; see {@link #start(Exec, ExecListener)}.
     *
     * @param exec the command and its settings; its timeout does not apply
     * @return a handle on the running command; close it to kill the command
     * @throws SandboxClosedException if the sandbox is closed
     */
    default BackgroundProcess start(Exec exec) {
        return start(exec, ExecListener.NONE);
    }

    /**
     * Starts a command in the background, in a process group of its own, and returns at once with a handle
     * to it. Output lines stream to {@code listener} while it runs. {@link Exec#timeout()} does not apply: the
     * command runs until it exits, is killed, its handle is closed, or the sandbox is closed.
     * {@link Exec#stdin()}, if set, is written first; the standard input then stays open for
     * {@link BackgroundProcess#writeStdin(byte[])}.
     *
     * @param exec     the command and its settings
     * @param listener receives output lines from reader threads; {@link ExecListener#NONE} for none
     * @return a handle on the running command; close it to kill the command
     * @throws SandboxClosedException if the sandbox is closed
     * @throws SandboxException if the runtime could not start the command
     */
    BackgroundProcess start(Exec exec, ExecListener listener);

    /**
     * The host port that container TCP port {@code containerPort} is published on, on 127.0.0.1 or the mapping's
     * host IP. For a mapping with host port 0 this is the free port chosen at start.
     *
     * @param containerPort a port given to {@link SandboxSpec.Builder#publish(int)} or a similar call
     * @return the host port
     * @throws SandboxConfigException if {@code containerPort} is not published; the message lists those that are
     */
    int hostPort(int containerPort);

    /** {@return all published TCP ports, container port to host port; empty when nothing is published} */
    Map<Integer, Integer> hostPorts();

    /**
     * The sandbox's files, read and written from memory (binary-safe, streamed in chunks for large files);
     * relative paths are taken against the workdir. See {@link SandboxFiles}.
     *
     * @return a view of the whole file system of this sandbox
     */
    default SandboxFiles files() {
        return SandboxFiles.of(this);
    }

    /**
     * Copies a host file or directory into the sandbox, as {@code podman cp} does on every runtime: permission bits
     * are kept; onto an existing directory it lands inside it, onto a new path it takes that name; the parent
     * directory of {@code target} must exist. Limited to 10 minutes.
     *
     * @param source the host file or directory
     * @param target an absolute path inside the sandbox
     * @throws SandboxConfigException if {@code source} does not exist or {@code target} is not absolute
     * @throws SandboxClosedException if the sandbox is closed
     * @throws SandboxException if the runtime's copy fails
     */
    void copyTo(Path source, String target);

    /**
     * Copies a file or directory out of the sandbox, with the same rules as {@link #copyTo(Path, String)}.
     *
     * @param source an absolute path inside the sandbox
     * @param target the host path to copy to
     * @throws SandboxConfigException if {@code source} is not absolute
     * @throws SandboxClosedException if the sandbox is closed
     * @throws SandboxException if the runtime's copy fails (for example because {@code source} does not exist)
     */
    void copyFrom(String source, Path target);

    /**
     * {@return everything the main process has written to stdout and stderr so far, as the runtime reports it}
     *
     * @throws SandboxClosedException if the sandbox is closed
     */
    String logs();

    /**
     * Follows the main process's output: the lines written so far, then each new line as it is written, reach
     * {@code listener} from a reader thread until the main process ends or the returned stream is closed. The
     * runtime decides how stdout and stderr arrive: Podman keeps them apart, Apple's {@code container} delivers both
     * as stdout. A runtime that cannot follow logs refuses with {@link SandboxConfigException}.
     *
     * @param listener receives the output lines, on the stream's reader thread
     * @return the stream; close it to stop following (the sandbox keeps running)
     * @throws SandboxConfigException if the runtime cannot follow logs
     * @throws SandboxClosedException if the sandbox is closed
     */
    LogStream followLogs(ExecListener listener);

    /**
     * {@return the egress audit trail: every DNS decision and dropped connection; {@link EgressLog#NONE} when egress
     * is unrestricted}
     */
    EgressLog egressLog();

    /** {@return whether {@link #close()} has been called (or the sandbox was closed for idleness or lifetime)} */
    boolean isClosed();

    /** Stops and removes the container and everything made for it. Idempotent. */
    @Override
    void close();
}
