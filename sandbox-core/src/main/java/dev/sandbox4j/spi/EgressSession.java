package dev.sandbox4j.spi;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Mount;
import dev.sandbox4j.egress.EgressLog;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Egress enforcement for one sandbox, from before its container starts until after it is removed. */
public interface EgressSession extends AutoCloseable {

    /** {@return the network the container must join; empty for the runtime's default} */
    Optional<String> network();

    /** {@return DNS servers for the container's resolv.conf; empty for the runtime's default} */
    List<String> dns();

    /** {@return capabilities the workload must not have, such as {@code NET_ADMIN}} */
    List<String> capDrop();

    /**
     * Whether {@link #beforeStart} must run between the container's creation and its start (the backend must
     * then support {@link RuntimeBackend#start(LaunchRequest, java.time.Duration, java.util.function.Consumer)}).
     * Default: false.
     *
     * @return {@code true} if the container must be started through {@code beforeStart}
     */
    default boolean needsBeforeStart() {
        return false;
    }

    /**
     * Called once the container exists with its network namespace, before the workload's first instruction: the
     * place to install enforcement inside that namespace. Throws to refuse the start (the container is then
     * removed, never started). Default: nothing.
     *
     * @param container the created container
     * @param backend   the backend that created it
     */
    default void beforeStart(CreatedContainer container, RuntimeBackend backend) {
    }

    /**
     * Host paths the container must get besides the spec's mounts, such as the unix socket a relay in the
     * sandbox talks to. Default: none.
     *
     * @return the extra mounts
     */
    default List<Mount> mounts() {
        return List.of();
    }

    /**
     * {@return the VM init image the sandbox must boot with (Apple {@code container --init-image}); default: empty,
     * the runtime's}
     */
    default Optional<String> initImage() {
        return Optional.empty();
    }

    /**
     * Called once the container runs; may probe it and throw to refuse the start.
     *
     * @param container the running container
     * @param backend   the backend running it
     */
    void attached(ContainerInfo container, RuntimeBackend backend);

    /**
     * Called once the container runs, with a way to run commands in it through the sandbox's own exec path (so a
     * probe opens the exec session the workload's first command then reuses). By default the same as
     * {@link #attached(ContainerInfo, RuntimeBackend)}.
     *
     * @param container the running container
     * @param backend   the backend running it
     * @param exec      runs a command in the sandbox and returns its result
     */
    default void attached(ContainerInfo container, RuntimeBackend backend, Function<Exec, ExecResult> exec) {
        attached(container, backend);
    }

    /** {@return the audit trail of this sandbox's egress decisions} */
    EgressLog log();

    /** Removes rules, sets, sockets and the network. Idempotent; call after the container is removed. */
    @Override
    void close();
}
