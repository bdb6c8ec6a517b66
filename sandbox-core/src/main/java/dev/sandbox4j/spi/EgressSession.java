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

    /** The network the container must join. */
    Optional<String> network();

    /** DNS servers for the container's resolv.conf. */
    List<String> dns();

    /** Capabilities the workload must not have. */
    List<String> capDrop();

    /**
     * Whether {@link #beforeStart} must run between the container's creation and its start (the backend must
     * then support {@link RuntimeBackend#start(LaunchRequest, java.time.Duration, java.util.function.Consumer)}).
     * Default: false.
     */
    default boolean needsBeforeStart() {
        return false;
    }

    /**
     * Called once the container exists with its network namespace, before the workload's first instruction: the
     * place to install enforcement inside that namespace. Throws to refuse the start (the container is then
     * removed, never started). Default: nothing.
     */
    default void beforeStart(CreatedContainer container, RuntimeBackend backend) {
    }

    /**
     * Host paths the container must get besides the spec's mounts, such as the unix socket a relay in the
     * sandbox talks to. Default: none.
     */
    default List<Mount> mounts() {
        return List.of();
    }

    /** The VM init image the sandbox must boot with (Apple {@code container --init-image}). Default: the runtime's. */
    default Optional<String> initImage() {
        return Optional.empty();
    }

    /** Called once the container runs; may probe it and throw to refuse the start. */
    void attached(ContainerInfo container, RuntimeBackend backend);

    /**
     * Called once the container runs, with a way to run commands in it through the sandbox's own exec path (so a
     * probe opens the exec session the workload's first command then reuses). By default the same as
     * {@link #attached(ContainerInfo, RuntimeBackend)}.
     */
    default void attached(ContainerInfo container, RuntimeBackend backend, Function<Exec, ExecResult> exec) {
        attached(container, backend);
    }

    /** The audit trail of this sandbox's egress decisions. */
    EgressLog log();

    /** Removes rules, sets, sockets and the network. Idempotent; call after the container is removed. */
    @Override
    void close();
}
