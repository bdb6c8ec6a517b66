package dev.sandbox4j.spi;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.Optional;

/**
 * Drives one container runtime. Implementations are thin: a pure argument-list builder, a pure output parser,
 * and calls through {@link CommandRunner}. Every method is safe to call from several threads.
 */
public interface RuntimeBackend {

    String name();

    /** Backend-specific checks of a spec (limits, features the installed version lacks). */
    default void validate(SandboxSpec spec) {
    }

    /**
     * Why this backend cannot start a container without the NET_ADMIN and NET_RAW capabilities, which egress
     * control needs, phrased with the fix; empty when it can. Default: it can.
     */
    default Optional<String> capDropUnsupportedReason() {
        return Optional.empty();
    }

    /** Makes sure the spec's image is there (building or pulling as the spec says); returns the reference to run. */
    String prepareImage(SandboxSpec spec, Duration timeout);

    /** Creates and starts a container; on failure, leaves nothing behind. */
    ContainerInfo start(LaunchRequest request, Duration timeout);

    /**
     * Creates a container, hands it to {@code beforeStart} once its namespaces exist but before its workload runs
     * its first instruction, then starts it. If {@code beforeStart} throws, the container is never started and
     * the exception propagates (the caller removes the container by name). Default: not supported (a
     * {@link SandboxConfigException} that says so); see {@link #supportsBeforeStart()}.
     */
    default ContainerInfo start(LaunchRequest request, Duration timeout, Consumer<CreatedContainer> beforeStart) {
        throw new SandboxConfigException("the " + name() + " backend cannot run a step between creating and "
                + "starting a container, which this sandbox's egress control needs");
    }

    /** Whether {@link #start(LaunchRequest, Duration, Consumer)} is implemented. Default: false. */
    default boolean supportsBeforeStart() {
        return false;
    }

    /**
     * Whether this backend's containers run rootless: in a user namespace owned by the JVM's user, with no host
     * root involved. Read once and cached by implementations. Default: false.
     */
    default boolean rootless() {
        return false;
    }

    /**
     * The argument-list prefix that runs a host program inside a created container's network namespace (and, for
     * a rootless runtime, in the user namespace that owns it), as the JVM's user. The program and its arguments
     * follow the prefix. Default: not supported (a {@link SandboxConfigException} that says so).
     */
    default List<String> enterNetworkNamespace(CreatedContainer container) {
        throw new SandboxConfigException("the " + name() + " backend cannot run a program in a container's "
                + "network namespace");
    }

    /**
     * Whether {@link #exec(String, Exec, ExecListener)} runs an exec with {@linkplain Exec#tty() a terminal} on one
     * (it may still refuse a combination it cannot do, with a {@link SandboxConfigException}). Sandboxes refuse a
     * terminal on a backend without it rather than run the command without one. Default: false.
     */
    default boolean supportsTty() {
        return false;
    }

    /** Runs one command with the runtime's exec (one CLI process per command). */
    ExecResult exec(String id, Exec exec, ExecListener listener);

    /** Starts an interactive exec whose streams the caller owns (for exec sessions). */
    RunningCommand openExec(String id, List<String> argv, Map<String, String> env);

    /**
     * Like {@link #openExec(String, List, Map)}, run as {@code user} (name or uid[:gid]). Default: not supported
     * (a {@link SandboxConfigException} that says so).
     */
    default RunningCommand openExec(String id, String user, List<String> argv, Map<String, String> env) {
        throw new SandboxConfigException("the " + name() + " backend cannot run an interactive exec as user \""
                + user + "\": leave the exec's user unset to run as the sandbox's user");
    }

    /**
     * Starts an interactive exec of {@code exec}'s command whose streams the caller owns, with its environment,
     * user, working directory and {@linkplain Exec#tty() terminal}; its stdin bytes, time limit and output limit
     * are the caller's to apply. With a terminal, everything the command writes arrives on
     * {@link RunningCommand#stdout()}. Default: the exec without a terminal or working directory goes to
     * {@link #openExec(String, String, List, Map)}; one with either is refused with a {@link SandboxConfigException}
     * that says so.
     */
    default RunningCommand openExec(String id, Exec exec) {
        if (exec.tty()) {
            throw new SandboxConfigException("the " + name() + " backend cannot run a command on a terminal "
                    + "(tty): leave tty unset");
        }
        if (exec.workdir().isPresent()) {
            throw new SandboxConfigException("the " + name() + " backend cannot set the working directory of an "
                    + "interactive exec: leave workdir unset, or cd in the command");
        }
        return exec.user().isEmpty() ? openExec(id, exec.command(), exec.env())
                : openExec(id, exec.user().get(), exec.command(), exec.env());
    }

    /**
     * Streams the main process's output as it is written, until the container stops or the returned command is
     * closed. {@code tail}: how many of the lines written so far come first, or -1 for all of them. Which of
     * {@link RunningCommand#stdout()} and {@link RunningCommand#stderr()} carries what is the runtime's (Podman
     * keeps the two apart, Apple's {@code container} merges them on stdout). Default: not supported (a
     * {@link SandboxConfigException} that says so).
     */
    default RunningCommand followLogs(String id, int tail) {
        throw new SandboxConfigException("the " + name() + " backend cannot follow a sandbox's logs: read them "
                + "with logs() instead");
    }

    void copyTo(String id, Path source, String target, Duration timeout);

    void copyFrom(String id, String source, Path target, Duration timeout);

    String logs(String id, Duration timeout);

    /** Force-removes a container; a container that is already gone is not an error. */
    void remove(String id, Duration timeout);

    /** Containers carrying all the given labels, running or not. */
    List<ContainerInfo> list(Map<String, String> labels, Duration timeout);

    /** Creates an isolated network for one sandbox (no runtime DNS on it). */
    NetworkInfo createNetwork(String name, Map<String, String> labels, Duration timeout);

    /** Removes a network; one that is already gone is not an error. */
    void removeNetwork(String name, Duration timeout);

    /** Networks carrying all the given labels. */
    List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout);

    /**
     * The process runner this backend starts its CLI through. Egress providers start their own host processes
     * (firewall loads, the rule updater) through the same runner, so a {@link dev.sandbox4j.SandboxRuntime} built
     * with a recording or timing runner sees every process a sandbox costs. Default: {@link CommandRunner#system()}.
     */
    default CommandRunner commandRunner() {
        return CommandRunner.system();
    }
}
