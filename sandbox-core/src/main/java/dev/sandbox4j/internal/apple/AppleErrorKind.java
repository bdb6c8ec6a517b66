package dev.sandbox4j.internal.apple;

/** What a failed {@code container} command meant, read from its exit code and its {@code Error: } text. */
public enum AppleErrorKind {
    /** The API server is not running or not registered: {@code XPC connection error}. */
    SERVICE_NOT_RUNNING,
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
