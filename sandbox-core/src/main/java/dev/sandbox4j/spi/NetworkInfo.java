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
 */
public record NetworkInfo(String name, String interfaceName, String subnet, String gateway,
                          Map<String, String> labels) {
    public NetworkInfo {
        labels = Map.copyOf(labels);
    }
}
