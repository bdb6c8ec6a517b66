package dev.sandbox4j;

import java.util.Locale;

/**
 * A container port published on the host. The textual syntax is the runtimes' own:
 * {@code [hostIp:][hostPort:]containerPort[/protocol]}, e.g. {@code "8080"}, {@code "9000:8080"},
 * {@code "127.0.0.1:9000:8080/tcp"}. A host port of 0 means "any free port", chosen when the sandbox starts
 * and read back with {@link Sandbox#hostPort(int)}. The host address defaults to {@code 127.0.0.1}: nothing is
 * published beyond loopback unless asked for.
 *
 * @param hostIp        the host address to bind, such as {@value #LOOPBACK}
 * @param hostPort      the host port, 1 to 65535, or 0 for any free port
 * @param containerPort the port inside the sandbox, 1 to 65535
 * @param protocol      {@code tcp} or {@code udp}, lower-cased; {@code null} to the constructor means {@code tcp}
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    /** The address published ports bind to unless another is given. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * Checks the ports, the address and the protocol.
     *
     * @param hostIp        the host address to bind, such as {@value #LOOPBACK}
     * @param hostPort      the host port, 1 to 65535, or 0 for any free port
     * @param containerPort the port inside the sandbox, 1 to 65535
     * @param protocol      {@code tcp} or {@code udp}, lower-cased; {@code null} to the constructor means {@code tcp}
     * @throws SandboxConfigException if a port is out of range, the host IP is empty or not an address, or the
     *         protocol is neither TCP nor UDP
     */
    public PortMapping {
        checkPort("container port", containerPort, false);
        checkPort("host port", hostPort, true);
        if (hostIp == null || hostIp.isBlank()) {
            throw new SandboxConfigException("host IP of a published port must not be empty; use " + LOOPBACK);
        }
        if (!hostIp.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == ':' || Character.isLetter(c))) {
            throw new SandboxConfigException("host IP \"" + hostIp + "\" is not an IP address");
        }
        protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new SandboxConfigException("protocol \"" + protocol + "\" is not supported: use tcp or udp");
        }
    }

    /**
     * Publishes a container TCP port on a free port of 127.0.0.1.
     *
     * @param containerPort the port inside the sandbox, 1 to 65535
     * @return the mapping
     * @throws SandboxConfigException if the port is out of range
     */
    public static PortMapping of(int containerPort) {
        return new PortMapping(LOOPBACK, 0, containerPort, "tcp");
    }

    /**
     * Publishes a container TCP port on a fixed port of 127.0.0.1.
     *
     * @param hostPort      the port on 127.0.0.1, 1 to 65535 (0 for any free port)
     * @param containerPort the port inside the sandbox, 1 to 65535
     * @return the mapping
     * @throws SandboxConfigException if a port is out of range
     */
    public static PortMapping of(int hostPort, int containerPort) {
        return new PortMapping(LOOPBACK, hostPort, containerPort, "tcp");
    }

    /**
     * Parses {@code [hostIp:][hostPort:]containerPort[/protocol]}; an IPv6 host address may be written in
     * brackets. A missing host address means {@value #LOOPBACK}, a missing or empty host port means any free port,
     * a missing protocol means TCP. The inverse of {@link #toString()}.
     *
     * @param text the mapping, such as {@code "127.0.0.1:9000:8080/tcp"}; not null
     * @return the mapping
     * @throws SandboxConfigException if the text is malformed or a value is out of range
     */
    public static PortMapping parse(String text) {
        String s = text.strip();
        String protocol = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            protocol = s.substring(slash + 1);
            s = s.substring(0, slash);
        }
        String hostIp = LOOPBACK;
        int lastColon = s.lastIndexOf(':');
        String container = s.substring(lastColon + 1);
        String rest = lastColon < 0 ? "" : s.substring(0, lastColon);
        String host = "0";
        if (!rest.isEmpty()) {
            int colon = rest.lastIndexOf(':');
            host = rest.substring(colon + 1);
            if (colon >= 0) {
                hostIp = rest.substring(0, colon);
                if (hostIp.startsWith("[") && hostIp.endsWith("]")) {
                    hostIp = hostIp.substring(1, hostIp.length() - 1);
                }
            }
            if (host.isEmpty()) {
                host = "0";
            }
        }
        return new PortMapping(hostIp, number(host, text), number(container, text), protocol);
    }

    private static int number(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            throw new SandboxConfigException("invalid port mapping \"" + text
                    + "\": use [hostIp:][hostPort:]containerPort[/tcp|udp], for example 127.0.0.1:9000:8080");
        }
        return Integer.parseInt(digits);
    }

    private static void checkPort(String what, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new SandboxConfigException(what + " " + port + " is out of range: use 1-65535"
                    + (zeroAllowed ? " (or 0 for any free port)" : ""));
        }
    }

    @Override
    public String toString() {
        String ip = hostIp.contains(":") ? "[" + hostIp + "]" : hostIp;
        return ip + ":" + (hostPort == 0 ? "" : Integer.toString(hostPort)) + ":" + containerPort + "/" + protocol;
    }
}
