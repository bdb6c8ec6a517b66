package dev.sandbox4j.internal.apple;

/** What a failed {@code container} command meant, read from its exit code and its {@code Error: } text. */
public enum AppleErrorKind {
    /**
     * The API server is not running or not registered: {@code XPC connection error} (every release), the hint
     * {@code Ensure container system service has been started with `container system start`} (0.10.0+), the
     * {@code apiserver is not running} status text (before 0.10.0), and the later wording {@code The container
     * system service is not running. Run `container system start` ...}. Starting the service and running the
     * command again is the fix.
     */
    SERVICE_NOT_RUNNING,
    /**
     * The API server took too long to answer ({@code XPC timeout for request to com.apple.container.apiserver/...},
     * {@code XPCClient.send(_:responseTimeout:)}: 60 s for create, 10 s for list). The service is up, and the
     * request may still complete on the server: a timed-out {@code run} can leave the container created, so
     * running it again answers "already exists". Never a reason to start the service.
     */
    SERVICE_TIMEOUT,
    /** Exit 64: the CLI rejected its arguments (unknown option, missing argument, invalid combination). */
    USAGE,
    /** A container, network, volume or image that does not exist. */
    NOT_FOUND,
    /** A container or network with that name exists already. */
    ALREADY_EXISTS,
    /** {@code exec}/{@code copy} on a container that is not running. */
    NOT_RUNNING,
    /** Delete without force of a running container. */
    STILL_RUNNING,
    /**
     * A container still on its way down: {@code container X is stopping and can not be deleted} (0.4.0+,
     * {@code ContainersService.delete}, even with {@code --force}) or {@code is not yet stopped and can not be
     * deleted} (0.2.0-0.3.0). Waiting and deleting again is the fix.
     */
    STOPPING,
    /**
     * A network that containers still refer to, or that is in the middle of another operation: {@code cannot
     * delete subnet X with referring containers: ...}, {@code network X has a pending operation}
     * ({@code NetworksService}). Transient right after its containers were deleted: wait and delete again.
     */
    BUSY,
    /** {@code minimum memory amount allowed is 200 MiB}. */
    MEMORY_TOO_SMALL,
    /** A published host port is taken or privileged. */
    PORT_UNAVAILABLE,
    /** {@code invalid format for image reference}. */
    INVALID_REFERENCE,
    /** Registry refused the credentials, or the API server belongs to another user (sudo). */
    UNAUTHORIZED,
    /** The CLI runs under Rosetta translation. */
    ROSETTA,
    /** A feature that needs macOS 26 was used on macOS 15. */
    NEEDS_MACOS_26,
    /** Anything else. */
    OTHER
}
