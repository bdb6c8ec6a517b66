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

    /** {@return the runtime's name, as {@link RuntimeProvider#name()} gives it, such as {@code "podman"}} */
    String name();

    /**
     * Backend-specific checks of a spec (limits, features the installed version lacks), run before anything is
     * made. Default: none.
     *
     * @param spec the spec about to be started
     * @throws SandboxConfigException if this runtime cannot honour the spec; the message says what to change
     */
    default void validate(SandboxSpec spec) {
    }

    /**
     * Why this backend cannot start a container without the NET_ADMIN and NET_RAW capabilities, which egress
     * control needs, phrased with the fix; empty when it can. Default: it can.
     *
     * @return the reason with its fix, or empty
     */
    default Optional<String> capDropUnsupportedReason() {
        return Optional.empty();
    }

    /**
     * Makes sure the spec's image is there, building or pulling as the spec's image source and pull policy say.
     *
     * @param spec    the spec whose image to prepare
     * @param timeout the time the build or pull may take
     * @return the image reference to run
     * @throws dev.sandbox4j.SandboxException if the build or pull fails or takes longer than {@code timeout}
     */
    String prepareImage(SandboxSpec spec, Duration timeout);

    /**
     * Creates and starts a container; on failure, leaves nothing behind.
     *
     * @param request what to start
     * @param timeout the time creating and starting may take
     * @return the running container
     * @throws dev.sandbox4j.SandboxException if the container cannot be created or started
     */
    ContainerInfo start(LaunchRequest request, Duration timeout);

    /**
     * Creates a container, hands it to {@code beforeStart} once its namespaces exist but before its workload runs
     * its first instruction, then starts it. If {@code beforeStart} throws, the container is never started and
     * the exception propagates (the caller removes the container by name). Default: not supported (a
     * {@link SandboxConfigException} that says so); see {@link #supportsBeforeStart()}.
     *
     * @param request     what to start
     * @param timeout     the time creating and starting may take
     * @param beforeStart called once with the created container, on the calling thread
     * @return the running container
     * @throws SandboxConfigException if this backend does not support it
     * @throws dev.sandbox4j.SandboxException if the container cannot be created or started
     */
    default ContainerInfo start(LaunchRequest request, Duration timeout, Consumer<CreatedContainer> beforeStart) {
        throw new SandboxConfigException("the " + name() + " backend cannot run a step between creating and "
                + "starting a container, which this sandbox's egress control needs");
    }

    /** {@return whether {@link #start(LaunchRequest, Duration, Consumer)} is implemented; default {@code false}} */
    default boolean supportsBeforeStart() {
        return false;
    }

    /**
     * Whether this backend's containers run rootless: in a user namespace owned by the JVM's user, with no host
     * root involved. Read once and cached by implementations. Default: false.
     *
     * @return {@code true} for a rootless runtime
     */
    default boolean rootless() {
        return false;
    }

    /**
     * The argument-list prefix that runs a host program inside a created container's network namespace (and, for
     * a rootless runtime, in the user namespace that owns it), as the JVM's user. The program and its arguments
     * follow the prefix. Default: not supported (a {@link SandboxConfigException} that says so).
     *
     * @param container a container created and not yet removed
     * @return the argument-list prefix, such as {@code nsenter} with its options
     * @throws SandboxConfigException if this backend does not support it
     */
    default List<String> enterNetworkNamespace(CreatedContainer container) {
        throw new SandboxConfigException("the " + name() + " backend cannot run a program in a container's "
                + "network namespace");
    }

    /**
     * Whether {@link #exec(String, Exec, ExecListener)} runs an exec with {@linkplain Exec#tty() a terminal} on one
     * (it may still refuse a combination it cannot do, with a {@link SandboxConfigException}). Sandboxes refuse a
     * terminal on a backend without it rather than run the command without one. Default: false.
     *
     * @return whether this backend can run an exec on a terminal
     */
    default boolean supportsTty() {
        return false;
    }

    /**
     * Runs one command with the runtime's exec (one CLI process per command) and waits for it.
     *
     * @param id       the container id
     * @param exec     the command and its settings
     * @param listener receives output lines while it runs
     * @return the result, whatever the exit code
     * @throws dev.sandbox4j.SandboxTimeoutException if the command was still running at {@link Exec#timeout()}
     * @throws dev.sandbox4j.SandboxException if the runtime could not run the command at all
     */
    ExecResult exec(String id, Exec exec, ExecListener listener);

    /**
     * Starts an interactive exec whose streams the caller owns (for exec sessions), as the container's user.
     *
     * @param id   the container id
     * @param argv the program and its arguments
     * @param env  environment variables added for this exec
     * @return the running runtime CLI process; closing it ends the exec
     * @throws dev.sandbox4j.SandboxException if the process cannot be started
     */
    RunningCommand openExec(String id, List<String> argv, Map<String, String> env);

    /**
     * Like {@link #openExec(String, List, Map)}, run as {@code user} (name or uid[:gid]). Default: not supported
     * (a {@link SandboxConfigException} that says so).
     *
     * @param id   the container id
     * @param user the user to run as, name or {@code uid[:gid]}
     * @param argv the program and its arguments
     * @param env  environment variables added for this exec
     * @return the running runtime CLI process; closing it ends the exec
     * @throws SandboxConfigException if this backend does not support it
     * @throws dev.sandbox4j.SandboxException if the process cannot be started
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
     *
     * @param id   the container id
     * @param exec the command and its settings
     * @return the running command; the caller must close it
     * @throws SandboxConfigException if this backend cannot honour the exec's terminal or working directory
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
     *
     * @param id   the container id
     * @param tail how many of the lines written so far come first, or -1 for all
     * @return the running follow; closing it stops following
     * @throws SandboxConfigException if this backend cannot follow logs
     */
    default RunningCommand followLogs(String id, int tail) {
        throw new SandboxConfigException("the " + name() + " backend cannot follow a sandbox's logs: read them "
                + "with logs() instead");
    }

    /**
     * Copies a host file or directory into the container, with the rules of
     * {@link dev.sandbox4j.Sandbox#copyTo(Path, String)}.
     *
     * @param id      the container id
     * @param source  the absolute host path
     * @param target  the absolute path inside the container
     * @param timeout the time the copy may take
     * @throws dev.sandbox4j.SandboxException if the runtime's copy fails or times out
     */
    void copyTo(String id, Path source, String target, Duration timeout);

    /**
     * Copies a file or directory out of the container, with the rules of
     * {@link dev.sandbox4j.Sandbox#copyFrom(String, Path)}.
     *
     * @param id      the container id
     * @param source  the absolute path inside the container
     * @param target  the absolute host path
     * @param timeout the time the copy may take
     * @throws dev.sandbox4j.SandboxException if the runtime's copy fails or times out
     */
    void copyFrom(String id, String source, Path target, Duration timeout);

    /**
     * Everything the container's main process has written so far.
     *
     * @param id      the container id
     * @param timeout the time reading the logs may take
     * @return the logs as the runtime's logs command prints them (Podman: its standard output, then its
     *         standard error)
     * @throws dev.sandbox4j.SandboxException if the runtime cannot read the logs
     */
    String logs(String id, Duration timeout);

    /**
     * Force-removes a container, running or not; a container that is already gone is not an error.
     *
     * @param id      the container id or name
     * @param timeout the time the removal may take
     * @throws dev.sandbox4j.SandboxException if the runtime fails to remove it
     */
    void remove(String id, Duration timeout);

    /**
     * Containers carrying all the given labels, running or not.
     *
     * @param labels  label key to value; every one must match
     * @param timeout the time listing may take
     * @return the containers; empty when none match
     * @throws dev.sandbox4j.SandboxException if the runtime cannot list them
     */
    List<ContainerInfo> list(Map<String, String> labels, Duration timeout);

    /**
     * Creates an isolated network for one sandbox (no runtime DNS on it).
     *
     * @param name    the network name
     * @param labels  labels put on the network
     * @param timeout the time creating it may take
     * @return the network
     * @throws dev.sandbox4j.SandboxException if the runtime cannot create it
     */
    NetworkInfo createNetwork(String name, Map<String, String> labels, Duration timeout);

    /**
     * Removes a network; one that is already gone is not an error.
     *
     * @param name    the network name
     * @param timeout the time the removal may take
     * @throws dev.sandbox4j.SandboxException if the runtime fails to remove it
     */
    void removeNetwork(String name, Duration timeout);

    /**
     * Networks carrying all the given labels.
     *
     * @param labels  label key to value; every one must match
     * @param timeout the time listing may take
     * @return the networks; empty when none match
     * @throws dev.sandbox4j.SandboxException if the runtime cannot list them
     */
    List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout);

    /**
     * The process runner this backend starts its CLI through. Egress providers start their own host processes
     * (firewall loads, the rule updater) through the same runner, so a {@link dev.sandbox4j.SandboxRuntime} built
     * with a recording or timing runner sees every process a sandbox costs. Default: {@link CommandRunner#system()}.
     *
     * @return the runner
     */
    default CommandRunner commandRunner() {
        return CommandRunner.system();
    }
}
