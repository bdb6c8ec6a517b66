package dev.sandbox4j.internal.apple;

import dev.sandbox4j.spi.NetworkInfo;
import java.util.Map;

/**
 * One network as {@code container network list --format json} or {@code network inspect} describes it (1.x
 * {@code {id, configuration, status}}, 0.8–0.12 {@code {id, state, config, status}}, 0.2–0.7 with
 * {@code status{address, gateway}}).
 *
 * @param id      the network name
 * @param mode    {@code nat} or {@code hostOnly} ({@code --internal}); empty when not reported
 * @param subnet  IPv4 subnet in CIDR form; empty when not reported (a network that is not running yet)
 * @param gateway the host's address on it, where guests find mDNSResponder and host services
 * @param labels  labels as stored
 * @param ipv6Subnet IPv6 subnet in CIDR form ({@code status.ipv6Subnet}, 0.8.0+); empty when not reported
 */
public record AppleNetwork(String id, String mode, String subnet, String gateway, Map<String, String> labels,
                           String ipv6Subnet) {
    public AppleNetwork {
        labels = Map.copyOf(labels);
        ipv6Subnet = ipv6Subnet == null ? "" : ipv6Subnet;
    }

    /** A network without an IPv6 subnet. */
    public AppleNetwork(String id, String mode, String subnet, String gateway, Map<String, String> labels) {
        this(id, mode, subnet, gateway, labels, "");
    }

    /** The CLI does not report the vmnet bridge interface, so {@link NetworkInfo#interfaceName()} is empty. */
    public NetworkInfo toNetworkInfo() {
        return new NetworkInfo(id, "", subnet, gateway, labels, ipv6Subnet);
    }

    public boolean hasLabels(Map<String, String> wanted) {
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
