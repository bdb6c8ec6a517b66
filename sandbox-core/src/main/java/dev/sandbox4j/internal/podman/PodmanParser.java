package dev.sandbox4j.internal.podman;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.CreatedContainer;
import dev.sandbox4j.spi.NetworkInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pure parsers of podman's JSON output into Sandbox4j's own types. Unknown fields are ignored. */
public final class PodmanParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PodmanParser() {
    }

    private static JsonNode tree(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SandboxException("podman printed " + what + " that is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The output of {@link PodmanArgs#namespaces}: pid and network namespace file of a created container. */
    public static CreatedContainer namespaces(String id, String name, String output) {
        String[] parts = output.strip().split(" ", 2);
        long pid;
        try {
            pid = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new SandboxException("podman printed no pid for container " + id + ": " + output.strip());
        }
        if (pid <= 0) {
            throw new SandboxException("container " + id + " has no process yet (pid " + pid + "): it was not "
                    + "initialized");
        }
        return new CreatedContainer(id, name, pid, parts.length > 1 ? parts[1].strip() : "");
    }

    /** {@code podman container inspect} output (an array with one element). */
    public static ContainerInfo inspect(String json) {
        JsonNode root = tree(json, "container inspect output");
        JsonNode c = root.isArray() ? root.path(0) : root;
        if (c.isMissingNode() || !c.has("Id")) {
            throw new SandboxException("podman container inspect printed no container: " + json.strip());
        }
        Map<Integer, Integer> ports = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : c.path("NetworkSettings").path("Ports").properties()) {
            String[] key = e.getKey().split("/");
            if (key.length == 2 && key[1].equals("tcp") && e.getValue().isArray() && e.getValue().size() > 0) {
                String hostPort = e.getValue().path(0).path("HostPort").asText("");
                if (!hostPort.isEmpty()) {
                    ports.put(port(key[0], json), port(hostPort, json));
                }
            }
        }
        String name = c.path("Name").asText("");
        return new ContainerInfo(c.path("Id").asText(), name.startsWith("/") ? name.substring(1) : name, ports,
                strings(c.path("Config").path("Labels")), c.path("State").path("Running").asBoolean(false));
    }

    /** {@code podman ps --all --format json} output. */
    public static List<ContainerInfo> list(String json) {
        JsonNode root = tree(json, "container list");
        if (!root.isArray()) {
            throw new SandboxException("podman printed a container list that is not a JSON array: " + json.strip());
        }
        List<ContainerInfo> out = new ArrayList<>();
        for (JsonNode c : root) {
            Map<Integer, Integer> ports = new HashMap<>();
            for (JsonNode p : c.path("Ports")) {
                if (p.path("protocol").asText("tcp").equals("tcp")) {
                    ports.put(p.path("container_port").asInt(), p.path("host_port").asInt());
                }
            }
            String name = c.path("Names").path(0).asText("");
            out.add(new ContainerInfo(c.path("Id").asText(), name, ports, strings(c.path("Labels")),
                    c.path("State").asText("").equals("running")));
        }
        return out;
    }

    /** {@code podman network inspect} or {@code network ls --format json} output. */
    public static List<NetworkInfo> networks(String json) {
        JsonNode root = tree(json, "network list");
        List<NetworkInfo> out = new ArrayList<>();
        for (JsonNode n : root.isArray() ? root : JSON.createArrayNode().add(root)) {
            JsonNode subnet = n.path("subnets").path(0);
            out.add(new NetworkInfo(n.path("name").asText(), n.path("network_interface").asText(""),
                    subnet.path("subnet").asText(""), subnet.path("gateway").asText(""), strings(n.path("labels"))));
        }
        return out;
    }

    /** The server version from {@code podman version --format json}. */
    public static String serverVersion(String json) {
        JsonNode root = tree(json, "version");
        String v = root.path("Server").path("Version").asText("");
        return v.isEmpty() ? root.path("Client").path("Version").asText("") : v;
    }

    private static int port(String digits, String json) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new SandboxException("podman printed a port \"" + digits + "\" that is not a number: " + json.strip());
        }
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> m = new HashMap<>();
        object.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
