package dev.sandbox4j.spi;

import dev.sandbox4j.Mount;
import dev.sandbox4j.SandboxSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a backend needs to start one container: the spec, the resolved image, the container name, every label
 * (the user's plus ownership labels), and the network settings egress control chose.
 *
 * @param spec        the sandbox's spec
 * @param image       the image reference to run, as {@link RuntimeBackend#prepareImage} returned it
 * @param name        the container name
 * @param labels      every label to put on the container
 * @param network   the network to attach to; empty means the runtime's default
 * @param dns       DNS server IPs for the container's resolv.conf; empty means the runtime's default
 * @param capDrop   capabilities to drop (e.g. NET_RAW, NET_ADMIN)
 * @param extraMounts host paths egress control binds into the container besides the spec's mounts (e.g. the
 *                  unix socket of a relay); a socket file is relayed by runtimes that can
 * @param initImage a VM init image to boot the sandbox with (Apple {@code container --init-image}); empty means
 *                  the runtime's own. Backends without VM init images refuse a request that sets it
 */
public record LaunchRequest(SandboxSpec spec, String image, String name, Map<String, String> labels,
                            Optional<String> network, List<String> dns, List<String> capDrop,
                            List<Mount> extraMounts, Optional<String> initImage) {
    /**
     * Copies the labels and lists into unmodifiable ones.
     *
     * @param spec        the sandbox's spec
     * @param image       the image reference to run, as {@link RuntimeBackend#prepareImage} returned it
     * @param name        the container name
     * @param labels      every label to put on the container
     * @param network   the network to attach to; empty means the runtime's default
     * @param dns       DNS server IPs for the container's resolv.conf; empty means the runtime's default
     * @param capDrop   capabilities to drop (e.g. NET_RAW, NET_ADMIN)
     * @param extraMounts host paths egress control binds into the container besides the spec's mounts (e.g. the
     *                  unix socket of a relay); a socket file is relayed by runtimes that can
     * @param initImage a VM init image to boot the sandbox with (Apple {@code container --init-image}); empty means
     *                  the runtime's own. Backends without VM init images refuse a request that sets it
     */
    public LaunchRequest {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        dns = List.copyOf(dns);
        capDrop = List.copyOf(capDrop);
        extraMounts = List.copyOf(extraMounts);
    }

    /**
     * A request without extra mounts and with the runtime's own init image.
     *
     * @param spec     the sandbox's spec
     * @param image    the image reference to run
     * @param name     the container name
     * @param labels   every label to put on the container
     * @param network  the network to attach to; empty means the runtime's default
     * @param dns      DNS server IPs; empty means the runtime's default
     * @param capDrop  capabilities to drop
     */
    public LaunchRequest(SandboxSpec spec, String image, String name, Map<String, String> labels,
                         Optional<String> network, List<String> dns, List<String> capDrop) {
        this(spec, image, name, labels, network, dns, capDrop, List.of(), Optional.empty());
    }
}
