package dev.sandbox4j.spi;

import java.util.Map;

/**
 * A started container as a backend reports it.
 *
 * @param id        the runtime's id
 * @param name      the name Sandbox4j gave it
 * @param hostPorts published TCP ports, container port to host port
 * @param labels    labels as stored by the runtime
 * @param running   whether it is running
 */
public record ContainerInfo(String id, String name, Map<Integer, Integer> hostPorts, Map<String, String> labels,
                            boolean running) {
    /**
     * Copies the maps into unmodifiable ones.
     *
     * @param id        the runtime's id
     * @param name      the name Sandbox4j gave it
     * @param hostPorts published TCP ports, container port to host port
     * @param labels    labels as stored by the runtime
     * @param running   whether it is running
     */
    public ContainerInfo {
        hostPorts = Map.copyOf(hostPorts);
        labels = Map.copyOf(labels);
    }
}
