package dev.sandbox4j.internal.apple;

import dev.sandbox4j.spi.ContainerInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One container as {@code container list --format json} or {@code container inspect} describes it, in either the
 * 1.x layout ({@code {id, configuration, status{state, networks, startedDate?}}}) or the 0.x one
 * ({@code {status: "running", configuration, networks, startedDate?}}).
 *
 * @param id        the container id (the {@code --name} given, else a lowercase UUID)
 * @param state     {@code running}, {@code stopped}, {@code stopping} or {@code unknown}
 * @param image     the image reference as stored (normalised, e.g. {@code docker.io/library/alpine:3.20})
 * @param labels    labels as stored
 * @param ports     published ports
 * @param networks  network attachments (empty when stopped)
 * @param cpus      vCPUs of the container (the VM gets one more)
 * @param memoryBytes memory of the container (the VM gets 128 MiB more); 0 when not reported
 * @param created   when it was created (1.0.0+)
 * @param started   when it last started; absent for a container that never ran
 */
public record AppleContainer(String id, String state, String image, Map<String, String> labels,
                             List<PublishedPort> ports, List<Attachment> networks, int cpus, long memoryBytes,
                             Optional<Instant> created, Optional<Instant> started) {

    /** One {@code publishedPorts} entry; {@code count} is the length of a port range. */
    public record PublishedPort(String hostAddress, int hostPort, int containerPort, String proto, int count) {
    }

    /** One network attachment of a running container. */
    public record Attachment(String network, String hostname, String ipv4Address, String ipv4Gateway) {
    }

    public AppleContainer {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
        networks = List.copyOf(networks);
    }

    public boolean running() {
        return state.equals("running");
    }

    /** Container port to host port, TCP only, each port of a range expanded. */
    public Map<Integer, Integer> tcpHostPorts() {
        Map<Integer, Integer> m = new HashMap<>();
        for (PublishedPort p : ports) {
            if (p.proto().equals("tcp")) {
                for (int i = 0; i < Math.max(1, p.count()); i++) {
                    m.put(p.containerPort() + i, p.hostPort() + i);
                }
            }
        }
        return m;
    }

    public ContainerInfo toContainerInfo() {
        return new ContainerInfo(id, id, tcpHostPorts(), labels, running());
    }

    /** Whether every given label is present with the given value. */
    public boolean hasLabels(Map<String, String> wanted) {
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
