package dev.sandbox4j.egress.internal;

import dev.sandbox4j.egress.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Addresses a DNS answer must never point a sandbox at, beyond the built-in deny classes: the host's own
 * addresses, the sandbox network's gateway and subnet, other sandboxes' networks. Asked on every checked answer,
 * so it may change while the sandbox runs; it must be fast and thread-safe. An allow-cidr rule that covers an
 * address overrides this set.
 */
@FunctionalInterface
public interface HostAddressSource {

    /** No extra addresses. */
    HostAddressSource NONE = List::of;

    /** {@return the networks (single hosts as /32 or /128) to refuse; read at each decision} */
    List<Cidr> hostAddresses();

    /**
     * A fixed set.
     *
     * @param networks the networks to refuse; copied
     * @return a source that always gives that set
     */
    static HostAddressSource of(List<Cidr> networks) {
        List<Cidr> copy = List.copyOf(networks);
        return () -> copy;
    }

    /**
     * This host's own addresses, every interface's, as /32 and /128 networks (zone ids dropped): never a valid
     * destination for a sandbox. Read once per call; if the OS does not list its interfaces, the list is empty,
     * a warning is logged, and only the built-in deny classes apply.
     *
     * @return the host's addresses, one network each
     */
    static List<Cidr> localInterfaces() {
        List<Cidr> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    String ip = a.getHostAddress();
                    int zone = ip.indexOf('%');
                    out.add(Cidr.parse((zone >= 0 ? ip.substring(0, zone) : ip)
                            + (a instanceof Inet6Address ? "/128" : "/32")));
                }
            }
        } catch (SocketException e) {
            LoggerFactory.getLogger(HostAddressSource.class)
                    .warn("could not list the host's addresses; only the built-in deny classes apply", e);
        }
        return out;
    }
}
