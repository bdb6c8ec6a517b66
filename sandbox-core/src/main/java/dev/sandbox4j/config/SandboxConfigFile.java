package dev.sandbox4j.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.MemorySize;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.internal.config.Durations;
import dev.sandbox4j.internal.config.Json;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes {@code sandbox.json}, the source-controlled description of a sandbox. Reading is strict: an
 * unknown key (with a "did you mean" suggestion), a value of the wrong type or a bad value fails with
 * {@link SandboxConfigFileException}, whose message starts with {@code file:line:column} and says how to fix it.
 * Relative paths resolve against the file's directory. See {@code docs/configuration.md} for every key.
 *
 * <pre>{@code
 * try (Sandbox sandbox = SandboxConfigFile.read(Path.of("sandbox.json")).start()) { ... }
 * }</pre>
 */
public final class SandboxConfigFile {
    static final List<String> KEYS = List.of("$schema", "image", "build", "command", "mounts", "ports", "cpus",
            "memory", "env", "workdir", "user", "labels", "startupTimeout", "runtime", "pullPolicy", "egress",
            "idleTimeout", "maxLifetime");
    static final List<String> BUILD_KEYS = List.of("dockerfile", "context", "args");
    static final List<String> MOUNT_KEYS = List.of("source", "target", "readOnly");
    static final List<String> PORT_KEYS = List.of("containerPort", "hostPort", "hostIp", "protocol");
    static final List<String> EGRESS_KEYS = List.of("default", "rules", "upstreams");
    private static final String KIND = "sandbox.json";

    private SandboxConfigFile() {
    }

    /**
     * Reads a file and returns a builder with all its settings; add more before {@code start()}.
     *
     * @param file the {@code sandbox.json} to read; relative paths in it resolve against its directory
     * @return a new builder holding the file's settings, egress included
     * @throws SandboxConfigException if the file cannot be read
     * @throws SandboxConfigFileException if the file is malformed, has an unknown key or a value that cannot work;
     *         the message starts with {@code file:line:column}
     */
    public static SandboxSpec.Builder read(Path file) {
        return load(file).toBuilder();
    }

    /**
     * Reads a file into a {@link SandboxDefinition}, which also exposes the egress section as written. Mount
     * sources must exist and {@code cpus} must not exceed this host's count.
     *
     * @param file the {@code sandbox.json} to read; relative paths in it resolve against its directory
     * @return the definition
     * @throws SandboxConfigException if the file cannot be read
     * @throws SandboxConfigFileException if the file is malformed, has an unknown key or a value that cannot work;
     *         the message starts with {@code file:line:column}
     */
    public static SandboxDefinition load(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(abs, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SandboxConfigException("cannot read " + abs + ": " + e.getMessage()
                    + (Files.exists(abs) ? "" : " (no such file: check the path; it resolves against "
                    + Path.of("").toAbsolutePath() + ")"), e);
        }
        Section root = Section.root(abs, Json.parse(abs, text, false), KIND);
        root.rejectUnknown(KEYS, KIND);
        Path base = abs.getParent();
        SandboxSpec.Builder b = Sandbox.builder();
        image(root, base, b);
        root.member("command").ifPresent(m -> {
            List<String> command = root.stringList("command", "[\"sh\", \"-c\", \"sleep 1000\"]");
            root.at(m.value(), "command", () -> check(b.command(command.toArray(String[]::new))));
        });
        root.array("mounts", "[{\"source\": \"work\", \"target\": \"/work\"}]").ifPresent(a -> {
            for (Json.Node n : a.items()) {
                Mount mount = mount(root, n, base);
                root.at(n, "mounts[]", () -> check(b.mount(mount)));
            }
        });
        root.array("ports", "[\"8080\", \"127.0.0.1:9000:9000/tcp\"]").ifPresent(a -> {
            for (Json.Node n : a.items()) {
                PortMapping port = port(root, n);
                root.at(n, "ports[]", () -> check(b.publish(port)));
            }
        });
        root.get("cpus").ifPresent(n -> {
            BigDecimal cpus = root.number("cpus", "\"cpus\": 2").orElseThrow();
            root.at(n, "cpus", () -> check(b.cpus(cpus.doubleValue())));
            int host = HostEnvironment.current().cpuCount();
            if (cpus.doubleValue() > host) {
                throw root.error(n, "\"cpus\": " + cpus + " is more than this host has (" + host + "): ask for at most "
                        + host);
            }
        });
        root.get("memory").ifPresent(n -> {
            String memory = root.string("memory", "\"memory\": \"512m\"").orElseThrow();
            root.at(n, "memory", () -> check(b.memory(MemorySize.parse(memory))));
        });
        root.member("env").ifPresent(m -> root.stringMap("env", "{\"MODE\": \"test\"}").forEach((k, v) ->
                root.at(root.object("env", "").orElseThrow().member(k).orElseThrow().keyLoc(), "env." + k,
                        () -> check(b.env(k, v)))));
        root.get("workdir").ifPresent(n -> {
            String w = root.string("workdir", "\"workdir\": \"/work\"").orElseThrow();
            root.at(n, "workdir", () -> check(b.workdir(w)));
        });
        root.get("user").ifPresent(n -> {
            String u = root.string("user", "\"user\": \"1000:1000\"").orElseThrow();
            root.at(n, "user", () -> check(b.user(u)));
        });
        root.member("labels").ifPresent(m -> root.stringMap("labels", "{\"team\": \"agents\"}").forEach((k, v) ->
                root.at(root.object("labels", "").orElseThrow().member(k).orElseThrow().keyLoc(), "labels." + k,
                        () -> check(b.label(k, v)))));
        root.get("startupTimeout").ifPresent(n -> {
            String t = root.string("startupTimeout", "\"startupTimeout\": \"60s\"").orElseThrow();
            root.at(n, "startupTimeout", () -> check(b.startupTimeout(Durations.parse(t))));
        });
        root.get("idleTimeout").ifPresent(n -> {
            String t = root.string("idleTimeout", "\"idleTimeout\": \"15m\"").orElseThrow();
            root.at(n, "idleTimeout", () -> check(b.idleTimeout(Durations.parse(t))));
        });
        root.get("maxLifetime").ifPresent(n -> {
            String t = root.string("maxLifetime", "\"maxLifetime\": \"2h\"").orElseThrow();
            root.at(n, "maxLifetime", () -> check(b.maxLifetime(Durations.parse(t))));
        });
        root.get("runtime").ifPresent(n -> {
            String r = root.string("runtime", "\"runtime\": \"podman\"").orElseThrow();
            root.at(n, "runtime", () -> {
                Runtimes.shared().requireKnown(r);  // a file names the runtime of the machine that loads it
                return check(b.runtime(r));
            });
        });
        root.get("pullPolicy").ifPresent(n -> {
            String p = root.string("pullPolicy", "\"pullPolicy\": \"never\"").orElseThrow();
            b.pullPolicy(pullPolicy(root, n, p));
        });
        EgressConfig egress = root.object("egress", "{\"default\": \"deny\", \"rules\": [\"allow pypi.org\"]}")
                .map(SandboxConfigFile::egress).orElse(null);
        SandboxSpec template = root.at(root.node(), KIND, b::build);
        return new SandboxDefinition(abs, template, egress, List.of(), List.of());
    }

    private static Object check(SandboxSpec.Builder b) {
        return b.build();
    }

    private static void image(Section root, Path base, SandboxSpec.Builder b) {
        if (root.has("image") && root.has("build")) {
            throw root.error(root.member("build").orElseThrow().keyLoc(),
                    "\"image\" and \"build\" are both set: keep \"image\" to run an existing image, or \"build\" "
                            + "to build one");
        }
        if (root.has("image")) {
            Json.Node n = root.get("image").orElseThrow();
            String ref = root.string("image", "\"image\": \"localhost/busybox:latest\"").orElseThrow();
            root.at(n, "image", () -> check(b.image(ref)));
        } else if (root.has("build")) {
            Json.Node n = root.get("build").orElseThrow();
            Section build = root.object("build", "{\"dockerfile\": \"Dockerfile\", \"context\": \".\"}").orElseThrow();
            build.rejectUnknown(BUILD_KEYS, KIND);
            b.image(buildSource(build, base, base));
            root.at(n, "build", () -> check(b));
        } else {
            throw root.error(root.node(), "no image: add \"image\": \"localhost/busybox:latest\" or "
                    + "\"build\": {\"dockerfile\": \"Dockerfile\"}");
        }
    }

    /** Reads {dockerfile, context, args}; both paths resolve against {@code base}, context defaulting to it. */
    static ImageSource.Build buildSource(Section build, Path base, Path defaultContext) {
        Path context = build.string("context", "\"context\": \".\"").map(base::resolve).orElse(defaultContext)
                .normalize();
        Path dockerfile = build.string("dockerfile", "\"dockerfile\": \"Dockerfile\"").map(base::resolve)
                .orElse(null);
        Map<String, String> args = build.stringMap("args", "{\"VERSION\": \"1.2\"}");
        return build.at(build.node(), build.name(""), () -> new ImageSource.Build(context,
                dockerfile == null ? null : dockerfile.normalize(), args));
    }

    private static Mount mount(Section root, Json.Node n, Path base) {
        if (!(n instanceof Json.Obj o)) {
            throw root.typeError(n, "mounts[]", "an object", "{\"source\": \"work\", \"target\": \"/work\"}");
        }
        Section m = new Section(root.file(), o, "mounts[]");
        m.rejectUnknown(MOUNT_KEYS, KIND);
        String source = m.string("source", "\"source\": \"work\"")
                .orElseThrow(() -> m.error(n, "a mount needs \"source\" (a host path, relative to this file)"));
        String target = m.string("target", "\"target\": \"/work\"")
                .orElseThrow(() -> m.error(n, "a mount needs \"target\" (an absolute path inside the sandbox)"));
        boolean readOnly = m.bool("readOnly").orElse(false);
        Path path = base.resolve(source).normalize();
        if (!Files.exists(path)) {
            throw m.error(m.get("source").orElseThrow(), "mount source " + path + " does not exist: create it, or fix "
                    + "the path (relative paths resolve against " + base + ")");
        }
        return m.at(n, "mounts[]", () -> new Mount(path, target, readOnly));
    }

    private static PortMapping port(Section root, Json.Node n) {
        if (n instanceof Json.Str s) {
            return root.at(n, "ports[]", () -> PortMapping.parse(s.value()));
        }
        if (n instanceof Json.Num num) {
            return root.at(n, "ports[]", () -> PortMapping.of(num.value().intValueExact()));
        }
        if (!(n instanceof Json.Obj o)) {
            throw root.typeError(n, "ports[]", "a string or an object", "\"8080\" or {\"containerPort\": 8080}");
        }
        Section p = new Section(root.file(), o, "ports[]");
        p.rejectUnknown(PORT_KEYS, KIND);
        int container = p.number("containerPort", "\"containerPort\": 8080")
                .orElseThrow(() -> p.error(n, "a port object needs \"containerPort\""))
                .intValue();
        int host = p.number("hostPort", "\"hostPort\": 9000").map(BigDecimal::intValue).orElse(0);
        String ip = p.string("hostIp", "\"hostIp\": \"127.0.0.1\"").orElse(PortMapping.LOOPBACK);
        String protocol = p.string("protocol", "\"protocol\": \"tcp\"").orElse("tcp");
        return p.at(n, "ports[]", () -> new PortMapping(ip, host, container, protocol));
    }

    private static PullPolicy pullPolicy(Section root, Json.Node n, String text) {
        for (PullPolicy p : PullPolicy.values()) {
            if (p.name().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw root.error(n, "\"pullPolicy\" must be \"never\", \"missing\" or \"always\", not \"" + text + "\"");
    }

    /** Reads an egress section: {default, rules, upstreams}. Used by devcontainer.json's customizations too. */
    static EgressConfig egress(Section e) {
        e.rejectUnknown(EGRESS_KEYS, KIND);
        EgressConfig.Default action = EgressConfig.Default.DENY;
        if (e.has("default")) {
            Json.Node n = e.get("default").orElseThrow();
            String d = e.string("default", "\"default\": \"deny\"").orElseThrow();
            if (d.equals("deny")) {
                action = EgressConfig.Default.DENY;
            } else if (d.equals("allow")) {
                action = EgressConfig.Default.ALLOW;
            } else {
                throw e.error(n, "\"" + e.name("default") + "\" must be \"deny\" or \"allow\", not \"" + d + "\"");
            }
        }
        List<String> rules = new ArrayList<>();
        e.array("rules", "[\"allow pypi.org\", \"allow *.pythonhosted.org:443\"]").ifPresent(a -> {
            for (Json.Node n : a.items()) {
                String rule = e.text(n, e.name("rules[]"), "\"allow pypi.org\"");
                rules.add(e.at(n, e.name("rules[]"), () -> EgressConfig.normaliseRule(rule)));
            }
        });
        List<InetSocketAddress> upstreams = new ArrayList<>();
        e.array("upstreams", "[\"127.0.0.1:5353\"]").ifPresent(a -> {
            for (Json.Node n : a.items()) {
                String u = e.text(n, e.name("upstreams[]"), "\"127.0.0.1:5353\"");
                upstreams.add(e.at(n, e.name("upstreams[]"), () -> EgressConfig.parseUpstream(u)));
            }
        });
        return new EgressConfig(action, rules, upstreams);
    }

    // ------------------------------------------------------------------------------------------------- writing

    /**
     * The spec as {@code sandbox.json} text, with absolute paths.
     *
     * @param spec the spec to write
     * @return the JSON text
     */
    public static String write(SandboxSpec spec) {
        return toJson(spec, null);
    }

    /**
     * Writes the spec to {@code file}, replacing it; paths inside the file's directory are written relative to
     * it, so the directory can move (or be checked in) as a whole. {@link #read(Path)} gives back an equal spec.
     *
     * @param spec the spec to write
     * @param file where to write it; its directory must exist
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public static void write(SandboxSpec spec, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            Files.writeString(abs, toJson(spec, abs.getParent()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + abs, e);
        }
    }

    private static String toJson(SandboxSpec spec, Path base) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        if (spec.image() instanceof ImageSource.Reference ref) {
            root.put("image", ref.reference());
        } else {
            ImageSource.Build build = (ImageSource.Build) spec.image();
            ObjectNode b = root.putObject("build");
            b.put("dockerfile", path(build.dockerfile(), base));
            b.put("context", path(build.context(), base));
            if (!build.buildArgs().isEmpty()) {
                ObjectNode args = b.putObject("args");
                build.buildArgs().forEach(args::put);
            }
        }
        if (!spec.command().isEmpty()) {
            ArrayNode c = root.putArray("command");
            spec.command().forEach(c::add);
        }
        if (!spec.mounts().isEmpty()) {
            ArrayNode mounts = root.putArray("mounts");
            for (Mount m : spec.mounts()) {
                ObjectNode o = mounts.addObject();
                o.put("source", path(m.source(), base));
                o.put("target", m.target());
                if (m.readOnly()) {
                    o.put("readOnly", true);
                }
            }
        }
        if (!spec.ports().isEmpty()) {
            ArrayNode ports = root.putArray("ports");
            spec.ports().forEach(p -> ports.add(portText(p)));
        }
        if (spec.cpus() > 0) {
            if (spec.cpus() == Math.rint(spec.cpus())) {
                root.put("cpus", (long) spec.cpus());
            } else {
                root.put("cpus", spec.cpus());
            }
        }
        spec.memory().ifPresent(m -> root.put("memory", m.toString()));
        if (!spec.env().isEmpty()) {
            ObjectNode env = root.putObject("env");
            spec.env().forEach(env::put);
        }
        spec.workdir().ifPresent(w -> root.put("workdir", w));
        spec.user().ifPresent(u -> root.put("user", u));
        if (!spec.labels().isEmpty()) {
            ObjectNode labels = root.putObject("labels");
            spec.labels().forEach(labels::put);
        }
        if (!spec.startupTimeout().equals(SandboxSpec.DEFAULT_STARTUP_TIMEOUT)) {
            root.put("startupTimeout", Durations.format(spec.startupTimeout()));
        }
        spec.idleTimeout().ifPresent(t -> root.put("idleTimeout", Durations.format(t)));
        spec.maxLifetime().ifPresent(t -> root.put("maxLifetime", Durations.format(t)));
        spec.runtime().ifPresent(r -> root.put("runtime", r));
        if (spec.pullPolicy() != PullPolicy.NEVER) {
            root.put("pullPolicy", spec.pullPolicy().name().toLowerCase(Locale.ROOT));
        }
        EgressConfig egress = EgressBridge.fromPolicy(spec.egress());
        ObjectNode e = root.putObject("egress");
        e.put("default", egress.defaultAction().json());
        if (!egress.rules().isEmpty()) {
            ArrayNode rules = e.putArray("rules");
            egress.rules().forEach(rules::add);
        }
        if (!egress.upstreams().isEmpty()) {
            ArrayNode ups = e.putArray("upstreams");
            egress.upstreams().forEach(u -> ups.add(EgressConfig.formatUpstream(u)));
        }
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return mapper.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e2) {
            throw new IllegalStateException(e2);
        }
    }

    private static String portText(PortMapping p) {
        String proto = p.protocol().equals("tcp") ? "" : "/" + p.protocol();
        if (p.hostIp().equals(PortMapping.LOOPBACK)) {
            return (p.hostPort() == 0 ? "" : p.hostPort() + ":") + p.containerPort() + proto;
        }
        String ip = p.hostIp().contains(":") ? "[" + p.hostIp() + "]" : p.hostIp();
        return ip + ":" + (p.hostPort() == 0 ? "" : Integer.toString(p.hostPort())) + ":" + p.containerPort() + proto;
    }

    private static String path(Path p, Path base) {
        if (base != null && p.startsWith(base)) {
            String rel = base.relativize(p).toString();
            return rel.isEmpty() ? "." : rel;
        }
        return p.toString();
    }
}
