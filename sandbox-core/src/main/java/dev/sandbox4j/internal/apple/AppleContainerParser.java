package dev.sandbox4j.internal.apple;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.SandboxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pure parsers of the {@code container} CLI's output into records, for the 1.x and 0.x JSON layouts. Lenient:
 * unknown fields are ignored, optional fields may be absent (Swift omits nil), slashes may be escaped
 * ({@code \/}), keys may come in any order. Dates are ISO-8601 strings (1.x) or seconds since
 * 2001-01-01T00:00:00Z as a number (0.x, Foundation's {@code deferredToDate}).
 */
public final class AppleContainerParser {
    /** Foundation's reference date, 2001-01-01T00:00:00Z, in Unix seconds. */
    static final long APPLE_EPOCH = 978_307_200L;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private AppleContainerParser() {
    }

    private static JsonNode tree(String json, String what) {
        String s = json.strip();
        if (s.isEmpty()) {
            return JSON.createArrayNode();  // `-q`-style empty output, and 0.x printing nothing
        }
        try {
            return JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new SandboxException("container printed " + what + " that is not JSON ("
                    + e.getOriginalMessage() + "): " + (s.length() > 300 ? s.substring(0, 300) + "..." : s));
        }
    }

    private static Iterable<JsonNode> elements(JsonNode root) {
        return root.isArray() ? root : root.isObject() ? List.of(root) : List.of();
    }

    /** {@code container list --all --format json} or {@code container inspect}: an array of containers. */
    public static List<AppleContainer> containers(String json) {
        List<AppleContainer> out = new ArrayList<>();
        for (JsonNode c : elements(tree(json, "a container list"))) {
            out.add(container(c));
        }
        return out;
    }

    static AppleContainer container(JsonNode c) {
        JsonNode config = c.path("configuration");
        JsonNode status = c.path("status");
        String state;
        JsonNode networks;
        JsonNode started;
        if (status.isObject()) {            // 1.0.0+
            state = status.path("state").asText("unknown");
            networks = status.path("networks");
            started = status.path("startedDate");
        } else {                            // 0.x: status is the state string, networks at the top
            state = status.asText("unknown");
            networks = c.path("networks");
            started = c.path("startedDate");
        }
        String id = c.path("id").asText(config.path("id").asText(""));
        if (id.isEmpty()) {
            throw new SandboxException("container printed a container without id: " + c);
        }
        List<AppleContainer.PublishedPort> ports = new ArrayList<>();
        for (JsonNode p : config.path("publishedPorts")) {
            ports.add(new AppleContainer.PublishedPort(p.path("hostAddress").asText("0.0.0.0"),
                    p.path("hostPort").asInt(), p.path("containerPort").asInt(), p.path("proto").asText("tcp"),
                    p.path("count").asInt(1)));
        }
        List<AppleContainer.Attachment> attachments = new ArrayList<>();
        for (JsonNode n : networks) {
            attachments.add(new AppleContainer.Attachment(n.path("network").asText(""), n.path("hostname").asText(""),
                    n.path("ipv4Address").asText(n.path("address").asText("")),
                    n.path("ipv4Gateway").asText(n.path("gateway").asText(""))));
        }
        JsonNode resources = config.path("resources");
        return new AppleContainer(id, state, config.path("image").path("reference").asText(""),
                strings(config.path("labels")), ports, attachments, resources.path("cpus").asInt(0),
                resources.path("memoryInBytes").asLong(0), date(config.path("creationDate")), date(started));
    }

    /** {@code container image list --format json}. */
    public static List<AppleImage> images(String json) {
        List<AppleImage> out = new ArrayList<>();
        for (JsonNode i : elements(tree(json, "an image list"))) {
            JsonNode config = i.path("configuration");
            if (config.isObject()) {         // 1.0.0+
                out.add(new AppleImage(config.path("name").asText(""),
                        config.path("descriptor").path("digest").asText("")));
            } else {                         // 0.x
                out.add(new AppleImage(i.path("reference").asText(""), i.path("descriptor").path("digest").asText("")));
            }
        }
        return out;
    }

    /** {@code container network list --format json} or {@code network inspect}. */
    public static List<AppleNetwork> networks(String json) {
        List<AppleNetwork> out = new ArrayList<>();
        for (JsonNode n : elements(tree(json, "a network list"))) {
            JsonNode config = n.path("configuration").isObject() ? n.path("configuration") : n.path("config");
            JsonNode status = n.path("status");
            String id = n.path("id").asText(config.path("name").asText(config.path("id").asText("")));
            out.add(new AppleNetwork(id, config.path("mode").asText(""),
                    status.path("ipv4Subnet").asText(status.path("address").asText(
                            config.path("ipv4Subnet").asText(config.path("subnet").asText("")))),
                    status.path("ipv4Gateway").asText(status.path("gateway").asText(
                            config.path("ipv4Gateway").asText(config.path("gateway").asText("")))),
                    strings(config.path("labels")),
                    status.path("ipv6Subnet").asText(config.path("ipv6Subnet").asText(""))));
        }
        return out;
    }

    /**
     * {@code container system status}: flat JSON (0.10.0–1.3.x), nested {@code server}/{@code paths} JSON
     * (1.4.1+; only {@code status} when down), the FIELD/VALUE table, or the text line of releases before 0.10.0.
     * The exit code is 1 when the service is down, whatever was printed.
     */
    public static AppleSystemStatus systemStatus(String stdout, int exitCode) {
        String s = stdout.strip();
        AppleSystemStatus parsed;
        if (s.startsWith("{")) {
            JsonNode root = tree(s, "a system status");
            JsonNode server = root.path("server");
            parsed = new AppleSystemStatus(root.path("status").asText(""),
                    nonEmpty(root.path("apiServerVersion").asText(server.path("version").asText(""))),
                    nonEmpty(root.path("appRoot").asText(root.path("paths").path("appRoot").asText(""))));
        } else {
            parsed = new AppleSystemStatus(textStatus(s), Optional.empty(), Optional.empty());
        }
        if (exitCode != 0 && parsed.running()) {
            return new AppleSystemStatus("not running", parsed.apiServerVersion(), parsed.appRoot());
        }
        return parsed;
    }

    private static String textStatus(String s) {
        for (String line : s.split("\n")) {
            String l = line.strip();
            if (l.startsWith("status ") || l.startsWith("status\t")) {
                return l.substring("status".length()).strip();
            }
        }
        if (s.contains("not registered")) {
            return "unregistered";
        }
        if (s.contains("is not running")) {
            return "not running";
        }
        if (s.contains("is running")) {
            return "running";
        }
        return s.isEmpty() ? "unknown" : s;
    }

    /** {@code container system version --format json}: the CLI, then the API server if it answered in time. */
    public static List<AppleVersionInfo> systemVersion(String json) {
        List<AppleVersionInfo> out = new ArrayList<>();
        for (JsonNode v : elements(tree(json, "a system version"))) {
            out.add(new AppleVersionInfo(v.path("appName").asText(""), v.path("version").asText(""),
                    v.path("buildType").asText(""), v.path("commit").asText("")));
        }
        return out;
    }

    /** {@code container --version}. */
    public static AppleCliVersion cliVersion(String output) {
        return AppleCliVersion.fromBanner(output);
    }

    /** A date in either encoding: ISO-8601 text (1.x) or seconds since 2001-01-01 (0.x). */
    public static Optional<Instant> date(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (node.isNumber()) {
            double seconds = node.asDouble();
            long whole = (long) Math.floor(seconds);
            // Foundation prints doubles with microsecond precision at best; more digits would be float noise
            long micros = Math.min(999_999L, Math.round((seconds - whole) * 1_000_000L));
            return Optional.of(Instant.ofEpochSecond(APPLE_EPOCH + whole, micros * 1000L));
        }
        String text = node.asText("");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw new SandboxException("container printed a date that is neither ISO-8601 nor a number: " + text);
        }
    }

    private static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> m = new LinkedHashMap<>();
        object.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
