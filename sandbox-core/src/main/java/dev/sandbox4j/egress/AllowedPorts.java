package dev.sandbox4j.egress;

import java.util.List;

/**
 * The destination ports a policy allows for one host: either only the listed ports, or every port except the
 * listed ones. This is what an enforcer needs to program per learned address.
 *
 * @param allExcept true: every port except {@link #ports()}; false: only {@link #ports()}
 * @param ports     ascending, distinct
 */
public record AllowedPorts(boolean allExcept, List<Integer> ports) {
    /** Every port. */
    public static final AllowedPorts ALL = new AllowedPorts(true, List.of());
    /** No port. */
    public static final AllowedPorts NONE = new AllowedPorts(false, List.of());

    /**
     * Sorts and copies the ports.
     *
     * @param allExcept {@code true}: every port but {@code ports}; {@code false}: only {@code ports}
     * @param ports     the listed ports
     */
    public AllowedPorts {
        ports = List.copyOf(new java.util.TreeSet<>(ports));
    }

    /**
     * Whether the port is allowed.
     *
     * @param port a destination port
     * @return whether it is allowed
     */
    public boolean contains(int port) {
        return allExcept != ports.contains(port);
    }

    /**
     * Whether every port is allowed.
     *
     * @return {@code true} for {@link #ALL}
     */
    public boolean isAll() {
        return allExcept && ports.isEmpty();
    }

    /**
     * Whether no port is allowed.
     *
     * @return {@code true} for {@link #NONE}
     */
    public boolean isNone() {
        return !allExcept && ports.isEmpty();
    }
}
