package dev.sandbox4j.spi;

import java.util.Map;

/**
 * A network a backend created for one sandbox.
 *
 * @param name       runtime name of the network
 * @param interfaceName the host-side bridge interface, the key for host firewall rules
 * @param subnet     IPv4 subnet in CIDR form
 * @param gateway    the host's address on it
 * @param labels     labels as stored by the runtime
 * @param ipv6Subnet IPv6 subnet in CIDR form, when the runtime reports one (Apple's {@code container} gives each
 *                   network a ULA prefix); empty otherwise
 */
public record NetworkInfo(String name, String interfaceName, String subnet, String gateway,
                          Map<String, String> labels, String ipv6Subnet) {
    /**
     * Copies the labels; a {@code null} IPv6 subnet becomes {@code ""}.
     *
     * @param name       runtime name of the network
     * @param interfaceName the host-side bridge interface, the key for host firewall rules
     * @param subnet     IPv4 subnet in CIDR form
     * @param gateway    the host's address on it
     * @param labels     labels as stored by the runtime
     * @param ipv6Subnet IPv6 subnet in CIDR form, when the runtime reports one (Apple's {@code container} gives each
     *                   network a ULA prefix); empty otherwise
     */
    public NetworkInfo {
        labels = Map.copyOf(labels);
        ipv6Subnet = ipv6Subnet == null ? "" : ipv6Subnet;
    }

    /**
     * A network without a reported IPv6 subnet (the form before {@link #ipv6Subnet()} existed).
     *
     * @param name          runtime name of the network
     * @param interfaceName the host-side bridge interface
     * @param subnet        IPv4 subnet in CIDR form
     * @param gateway       the host's address on it
     * @param labels        labels as stored by the runtime
     */
    public NetworkInfo(String name, String interfaceName, String subnet, String gateway, Map<String, String> labels) {
        this(name, interfaceName, subnet, gateway, labels, "");
    }
}
