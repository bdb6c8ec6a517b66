package dev.sandbox4j.config;

import dev.sandbox4j.MemorySize;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.internal.config.Durations;
import dev.sandbox4j.internal.config.Json;
import dev.sandbox4j.internal.config.Suggest;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the parts of a <a href="https://containers.dev/implementors/json_reference/">devcontainer.json</a> that
 * map onto a sandbox: image or build, mounts, ports, environment, user, workspace, host requirements (as limits)
 * and {@code customizations.sandbox4j} (egress, runtime, startup timeout, labels). Comments and trailing commas
 * are allowed, as in devcontainer.json. Properties that cannot be honoured (features, lifecycle commands,
 * {@code runArgs}, ...) are listed in {@link SandboxDefinition#ignored()}, never silently dropped; settings that
 * are applied with a different meaning are listed in {@link SandboxDefinition#warnings()}. Wrong types and bad
 * values fail with {@link SandboxConfigFileException} ({@code file:line:column}).
 *
 * <pre>{@code
 * SandboxDefinition def = DevcontainerFile.read(Path.of(".devcontainer/devcontainer.json"));
 * def.ignored().forEach(log::warn);
 * try (Sandbox sandbox = def.toBuilder().start()) { ... }
 * }</pre>
 */
public final class DevcontainerFile {
    private static final String KIND = "devcontainer.json";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    /** Properties this reader maps. */
    static final List<String> HONOURED = List.of("image", "build", "dockerFile", "context", "mounts",
            "forwardPorts", "appPort", "containerEnv", "remoteUser", "containerUser", "workspaceMount",
            "workspaceFolder", "hostRequirements", "customizations", "name", "$schema");

    /** Properties of the devcontainer spec this reader cannot honour, with the reason given to the user. */
    static final Map<String, String> UNSUPPORTED = unsupported();

    static final List<String> CUSTOMIZATION_KEYS = List.of("egress", "runtime", "startupTimeout", "labels");

    private DevcontainerFile() {
    }

    private static Map<String, String> unsupported() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("features", "dev container features are not installed: bake what they add into the image");
        String lifecycle = "lifecycle commands are not run: call sandbox.exec(...) after start";
        for (String k : List.of("initializeCommand", "onCreateCommand", "updateContentCommand", "postCreateCommand",
                "postStartCommand", "postAttachCommand", "waitFor")) {
            m.put(k, lifecycle);
        }
        m.put("runArgs", "raw runtime arguments are not passed: a sandbox's isolation is not negotiable");
        m.put("capAdd", "capabilities are never added to a sandbox");
        m.put("privileged", "sandboxes never run privileged");
        m.put("securityOpt", "security options are not passed to the runtime");
        m.put("init", "no init process is injected");
        m.put("overrideCommand", "the sandbox always runs its own keep-alive process unless the spec sets a command");
        m.put("shutdownAction", "sandboxes stop when closed");
        m.put("dockerComposeFile", "Docker Compose is not supported");
        m.put("service", "Docker Compose is not supported");
        m.put("runServices", "Docker Compose is not supported");
        m.put("portsAttributes", "port attributes are editor settings");
        m.put("otherPortsAttributes", "port attributes are editor settings");
        m.put("remoteEnv", "remoteEnv applies to a tool's processes: put the variables in containerEnv");
        m.put("userEnvProbe", "the user's shell environment is not probed");
        m.put("updateRemoteUserUID", "user ids are not rewritten");
        m.put("overrideFeatureInstallOrder", "features are not installed");
        m.put("secrets", "secrets are not prompted for: pass them with env(...) in code");
        return m;
    }

    /**
     * Reads a devcontainer.json. The local workspace folder (for {@code ${localWorkspaceFolder}} and the default
     * workspace mount) is the folder that holds {@code .devcontainer/}, or the file's own folder.
     *
     * @param file the devcontainer.json (or {@code .devcontainer.json}) to read
     * @return the definition, with what was applied differently in {@link SandboxDefinition#warnings()} and what
     *         was left out in {@link SandboxDefinition#ignored()}
     * @throws SandboxConfigException if the file cannot be read
     * @throws SandboxConfigFileException if the file is malformed or a setting cannot work; the message starts with
     *         {@code file:line:column}
     */
    public static SandboxDefinition read(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return read(abs, workspaceOf(abs));
    }

    /**
     * Reads a devcontainer.json with an explicit local workspace folder.
     *
     * @param file            the devcontainer.json to read
     * @param workspaceFolder the folder {@code ${localWorkspaceFolder}} stands for and the default workspace mount
     *                        mounts
     * @return the definition, with what was applied differently in {@link SandboxDefinition#warnings()} and what
     *         was left out in {@link SandboxDefinition#ignored()}
     * @throws SandboxConfigException if the file cannot be read
     * @throws SandboxConfigFileException if the file is malformed or a setting cannot work; the message starts with
     *         {@code file:line:column}
     */
    public static SandboxDefinition read(Path file, Path workspaceFolder) {
        Path abs = file.toAbsolutePath().normalize();
        Path workspace = workspaceFolder.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(abs, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SandboxConfigException("cannot read " + abs + ": " + e.getMessage(), e);
        }
        Section root = Section.root(abs, Json.parse(abs, text, true), KIND);
        return new Reader(root, abs.getParent(), workspace).read();
    }

    static Path workspaceOf(Path file) {
        for (Path p = file.getParent(); p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().equals(".devcontainer")) {
                return p.getParent();
            }
        }
        return file.getParent();
    }

    private static final class Reader {
        private final Section root;
        private final Path base;
        private final Path workspace;
        private final List<String> warnings = new ArrayList<>();
        private final List<String> ignored = new ArrayList<>();
        private final SandboxSpec.Builder b = Sandbox.builder();
        private String containerWorkspace;

        Reader(Section root, Path base, Path workspace) {
            this.root = root;
            this.base = base;
            this.workspace = workspace;
        }

        SandboxDefinition read() {
            sortKeys();
            if (root.has("dockerComposeFile") && !root.has("image") && !root.has("build")) {
                throw root.error(root.member("dockerComposeFile").orElseThrow().keyLoc(),
                        "Docker Compose devcontainers are not supported: give \"image\" or \"build\" instead");
            }
            containerWorkspace = root.string("workspaceFolder", "\"workspaceFolder\": \"/workspaces/app\"")
                    .map(w -> substitute(root.get("workspaceFolder").orElseThrow(), w))
                    .orElse("/workspaces/" + workspace.getFileName());
            image();
            mounts();
            workspace();
            ports();
            root.member("containerEnv").ifPresent(m -> {
                Section env = root.object("containerEnv", "{\"MODE\": \"test\"}").orElseThrow();
                root.stringMap("containerEnv", "{\"MODE\": \"test\"}").forEach((k, v) -> {
                    Json.Member member = env.member(k).orElseThrow();
                    String value = substitute(member.value(), v);
                    root.at(member.keyLoc(), "containerEnv." + k, () -> check(b.env(k, value)));
                });
            });
            user();
            hostRequirements();
            EgressConfig egress = customizations();
            SandboxSpec template = root.at(root.node(), KIND, b::build);
            return new SandboxDefinition(root.file(), template, egress, warnings, ignored);
        }

        private void sortKeys() {
            for (Json.Member m : root.unknown(HONOURED)) {
                String reason = UNSUPPORTED.get(m.key());
                if (reason != null) {
                    ignored.add(m.key() + " (line " + m.keyLoc().line() + "): " + reason);
                } else {
                    ignored.add(m.key() + " (line " + m.keyLoc().line() + "): not a devcontainer.json property "
                            + "Sandbox4j knows" + Suggest.closest(m.key(), HONOURED)
                            .map(s -> "; did you mean \"" + s + "\"?").orElse(""));
                }
            }
        }

        private void image() {
            boolean legacy = root.has("dockerFile");
            int sources = (root.has("image") ? 1 : 0) + (root.has("build") ? 1 : 0) + (legacy ? 1 : 0);
            if (sources > 1) {
                throw root.error(root.node(), "give only one of \"image\", \"build\" and \"dockerFile\"");
            }
            if (root.has("image")) {
                Json.Node n = root.get("image").orElseThrow();
                String ref = substitute(n, root.string("image", "\"image\": \"localhost/busybox:latest\"").orElseThrow());
                root.at(n, "image", () -> check(b.image(ref)));
            } else if (root.has("build")) {
                Json.Node n = root.get("build").orElseThrow();
                Section build = root.object("build", "{\"dockerfile\": \"Dockerfile\"}").orElseThrow();
                for (Json.Member m : build.unknown(SandboxConfigFile.BUILD_KEYS)) {
                    ignored.add("build." + m.key() + " (line " + m.keyLoc().line() + "): "
                            + (List.of("target", "cacheFrom", "options").contains(m.key())
                            ? "build option not passed to the runtime's build" : "not a build property Sandbox4j knows"));
                }
                if (!build.has("dockerfile")) {
                    throw build.error(n, "\"build\" needs \"dockerfile\" (relative to devcontainer.json)");
                }
                b.image(SandboxConfigFile.buildSource(build, base, base));
                root.at(n, "build", () -> check(b));
            } else if (legacy) {
                Json.Node n = root.get("dockerFile").orElseThrow();
                Path dockerfile = base.resolve(root.string("dockerFile", "\"dockerFile\": \"Dockerfile\"").orElseThrow());
                Path context = root.string("context", "\"context\": \"..\"").map(base::resolve).orElse(base);
                root.at(n, "dockerFile", () -> check(b.dockerfile(context.normalize(), dockerfile.normalize())));
            } else {
                throw root.error(root.node(), "no image: add \"image\" or \"build\": {\"dockerfile\": \"Dockerfile\"}");
            }
            if (root.has("context") && !legacy) {
                ignored.add("context (line " + root.member("context").orElseThrow().keyLoc().line()
                        + "): only used with dockerFile; use build.context");
            }
        }

        private void mounts() {
            root.array("mounts", "[\"source=${localWorkspaceFolder}/data,target=/data,type=bind\"]").ifPresent(a -> {
                for (Json.Node n : a.items()) {
                    mount(n, "mounts[]").ifPresent(m -> root.at(n, "mounts[]", () -> check(b.mount(m))));
                }
            });
        }

        private java.util.Optional<Mount> mount(Json.Node n, String what) {
            Map<String, String> fields = new LinkedHashMap<>();
            if (n instanceof Json.Str s) {
                for (String part : substitute(n, s.value()).split(",")) {
                    int eq = part.indexOf('=');
                    String key = (eq < 0 ? part : part.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                    String value = eq < 0 ? "true" : part.substring(eq + 1).strip();
                    fields.put(switch (key) {
                        case "src" -> "source";
                        case "dst", "destination" -> "target";
                        case "ro" -> "readonly";
                        default -> key;
                    }, value);
                }
            } else if (n instanceof Json.Obj o) {
                Section m = new Section(root.file(), o, what);
                m.rejectUnknown(List.of("type", "source", "target"), KIND);
                m.string("type", "\"type\": \"bind\"").ifPresent(t -> fields.put("type", t));
                m.string("source", "\"source\": \"${localWorkspaceFolder}/data\"")
                        .ifPresent(t -> fields.put("source", substitute(m.get("source").orElseThrow(), t)));
                m.string("target", "\"target\": \"/data\"")
                        .ifPresent(t -> fields.put("target", substitute(m.get("target").orElseThrow(), t)));
            } else {
                throw root.typeError(n, what, "a string or an object",
                        "\"source=${localWorkspaceFolder}/data,target=/data,type=bind\"");
            }
            String type = fields.getOrDefault("type", "bind");
            if (!type.equals("bind")) {
                ignored.add(what + " (line " + n.loc().line() + "): " + type + " mounts are not supported, only bind "
                        + "mounts of host paths");
                return java.util.Optional.empty();
            }
            for (String k : fields.keySet()) {
                if (!List.of("type", "source", "target", "readonly", "consistency", "bind-propagation").contains(k)) {
                    throw root.error(n, "mount option \"" + k + "\" is not understood: use source=...,target=...,"
                            + "type=bind[,readonly]");
                }
            }
            if (fields.containsKey("consistency") || fields.containsKey("bind-propagation")) {
                warnings.add(what + " (line " + n.loc().line() + "): consistency and bind-propagation are not passed on");
            }
            String source = fields.get("source");
            String target = fields.get("target");
            if (source == null || target == null) {
                throw root.error(n, "a mount needs source and target: source=${localWorkspaceFolder}/data,"
                        + "target=/data,type=bind");
            }
            String ro = fields.getOrDefault("readonly", "false");
            boolean readOnly = ro.equals("true") || ro.equals("1");
            if (!readOnly && !ro.equals("false") && !ro.equals("0")) {
                throw root.error(n, "readonly=" + ro + " must be true or false");
            }
            Path path = base.resolve(source).normalize();
            if (!Files.exists(path)) {
                throw root.error(n, "mount source " + path + " does not exist: create it or fix the path");
            }
            return java.util.Optional.of(root.at(n, what, () -> new Mount(path, target, readOnly)));
        }

        private void workspace() {
            if (root.has("workspaceMount")) {
                Json.Node n = root.get("workspaceMount").orElseThrow();
                mount(n, "workspaceMount").ifPresent(m -> root.at(n, "workspaceMount", () -> check(b.mount(m))));
            } else {
                Mount m = new Mount(workspace, containerWorkspace, false);
                root.at(root.node(), "workspace mount", () -> check(b.mount(m)));
                warnings.add("the local workspace folder " + workspace + " is mounted read-write at "
                        + containerWorkspace + " (the devcontainer default); set workspaceMount to mount something else");
            }
            root.at(root.node(), "workspaceFolder", () -> check(b.workdir(containerWorkspace)));
        }

        private void ports() {
            root.array("forwardPorts", "[3000, 8080]").ifPresent(a -> {
                for (Json.Node n : a.items()) {
                    int port;
                    if (n instanceof Json.Num num) {
                        port = root.at(n, "forwardPorts[]", () -> num.value().intValueExact());
                    } else if (n instanceof Json.Str s && s.value().chars().allMatch(Character::isDigit)
                            && !s.value().isEmpty() && s.value().length() <= 5) {
                        port = Integer.parseInt(s.value());
                    } else if (n instanceof Json.Str s) {
                        ignored.add("forwardPorts \"" + s.value() + "\" (line " + n.loc().line()
                                + "): ports of other hosts or services are not forwarded");
                        continue;
                    } else {
                        throw root.typeError(n, "forwardPorts[]", "a number or a string", "3000");
                    }
                    root.at(n, "forwardPorts[]", () -> check(b.publish(PortMapping.of(port))));
                }
            });
            root.get("appPort").ifPresent(n -> {
                List<Json.Node> items = n instanceof Json.Arr a ? a.items() : List.of(n);
                for (Json.Node item : items) {
                    PortMapping p;
                    if (item instanceof Json.Num num) {
                        int port = root.at(item, "appPort", () -> num.value().intValueExact());
                        p = root.at(item, "appPort", () -> PortMapping.of(port, port));
                    } else if (item instanceof Json.Str s) {
                        p = root.at(item, "appPort", () -> PortMapping.parse(s.value()));
                    } else {
                        throw root.typeError(item, "appPort", "a number, string or array", "3000");
                    }
                    root.at(item, "appPort", () -> check(b.publish(p)));
                }
                warnings.add("appPort (line " + n.loc().line() + "): published on " + PortMapping.LOOPBACK
                        + " only, unless the entry names another host address");
            });
            if (root.has("forwardPorts")) {
                warnings.add("forwardPorts (line " + root.member("forwardPorts").orElseThrow().keyLoc().line()
                        + "): each port is published on a free port of " + PortMapping.LOOPBACK
                        + "; read it with sandbox.hostPort(port)");
            }
        }

        private void user() {
            var remote = root.string("remoteUser", "\"remoteUser\": \"vscode\"");
            var container = root.string("containerUser", "\"containerUser\": \"vscode\"");
            String user = remote.or(() -> container).orElse(null);
            if (user == null) {
                return;
            }
            String key = remote.isPresent() ? "remoteUser" : "containerUser";
            root.at(root.get(key).orElseThrow(), key, () -> check(b.user(user)));
            if (remote.isPresent() && container.isPresent() && !remote.get().equals(container.get())) {
                warnings.add("remoteUser \"" + remote.get() + "\" and containerUser \"" + container.get()
                        + "\" differ: a sandbox has one user; execs run as \"" + remote.get() + "\"");
            }
        }

        private void hostRequirements() {
            root.object("hostRequirements", "{\"cpus\": 2, \"memory\": \"4gb\"}").ifPresent(h -> {
                for (Json.Member m : h.unknown(List.of("cpus", "memory"))) {
                    ignored.add("hostRequirements." + m.key() + " (line " + m.keyLoc().line() + "): "
                            + (List.of("storage", "gpu").contains(m.key()) ? "not checked or enforced"
                            : "not a host requirement Sandbox4j knows"));
                }
                h.get("cpus").ifPresent(n -> {
                    BigDecimal cpus = h.number("cpus", "\"cpus\": 2").orElseThrow();
                    double limit = Math.min(cpus.doubleValue(), HostEnvironment.current().cpuCount());
                    root.at(n, "hostRequirements.cpus", () -> check(b.cpus(limit)));
                    warnings.add("hostRequirements.cpus " + cpus.stripTrailingZeros().toPlainString()
                            + " is a minimum in devcontainer.json; Sandbox4j applies it as a limit of "
                            + limit + " CPUs" + (limit < cpus.doubleValue() ? " (all this host has)" : ""));
                });
                h.get("memory").ifPresent(n -> {
                    String memory = h.string("memory", "\"memory\": \"4gb\"").orElseThrow();
                    MemorySize size = root.at(n, "hostRequirements.memory", () -> MemorySize.parse(memory));
                    root.at(n, "hostRequirements.memory", () -> check(b.memory(size)));
                    warnings.add("hostRequirements.memory " + memory + " is a minimum in devcontainer.json; "
                            + "Sandbox4j applies it as a limit of " + size);
                });
            });
        }

        private EgressConfig customizations() {
            var custom = root.object("customizations", "{\"sandbox4j\": {\"egress\": {\"default\": \"deny\"}}}");
            if (custom.isEmpty()) {
                return null;
            }
            var mine = custom.get().object("sandbox4j", "{\"egress\": {\"default\": \"deny\"}}");
            if (mine.isEmpty()) {
                return null;
            }
            Section s = mine.get();
            s.rejectUnknown(CUSTOMIZATION_KEYS, "customizations.sandbox4j");
            s.get("runtime").ifPresent(n -> {
                String r = s.string("runtime", "\"runtime\": \"podman\"").orElseThrow();
                s.at(n, s.name("runtime"), () -> check(b.runtime(r)));
            });
            s.get("startupTimeout").ifPresent(n -> {
                String t = s.string("startupTimeout", "\"startupTimeout\": \"60s\"").orElseThrow();
                s.at(n, s.name("startupTimeout"), () -> check(b.startupTimeout(Durations.parse(t))));
            });
            s.member("labels").ifPresent(m -> {
                Section labels = s.object("labels", "{\"team\": \"agents\"}").orElseThrow();
                s.stringMap("labels", "{\"team\": \"agents\"}").forEach((k, v) -> s.at(
                        labels.member(k).orElseThrow().keyLoc(), s.name("labels." + k), () -> check(b.label(k, v))));
            });
            return s.object("egress", "{\"default\": \"deny\", \"rules\": [\"allow pypi.org\"]}")
                    .map(SandboxConfigFile::egress).orElse(null);
        }

        /** Replaces ${localWorkspaceFolder}, ${localEnv:NAME[:default]} and friends; unknown variables fail. */
        private String substitute(Json.Node at, String text) {
            Matcher m = VARIABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String v = m.group(1);
                String value;
                if (v.equals("localWorkspaceFolder")) {
                    value = workspace.toString();
                } else if (v.equals("localWorkspaceFolderBasename")) {
                    value = String.valueOf(workspace.getFileName());
                } else if (v.equals("containerWorkspaceFolder") && containerWorkspace != null) {
                    value = containerWorkspace;
                } else if (v.equals("containerWorkspaceFolderBasename") && containerWorkspace != null) {
                    value = containerWorkspace.substring(containerWorkspace.lastIndexOf('/') + 1);
                } else if (v.startsWith("localEnv:") || v.startsWith("env:")) {
                    String[] parts = v.substring(v.indexOf(':') + 1).split(":", 2);
                    value = HostEnvironment.current().env(parts[0]).orElse(parts.length > 1 ? parts[1] : "");
                } else {
                    throw root.error(at, "variable ${" + v + "} cannot be resolved before the container exists: "
                            + "use ${localWorkspaceFolder}, ${localWorkspaceFolderBasename}, "
                            + "${containerWorkspaceFolder} or ${localEnv:NAME}");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }

        private static Object check(SandboxSpec.Builder b) {
            return b.build();
        }
    }
}
