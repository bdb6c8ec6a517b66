package dev.sandbox4j.mcp;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.config.SandboxConfigFile;
import dev.sandbox4j.egress.EgressPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line of the MCP server: {@code [--config sandbox.json] [--allow HOST[:PORT]]... [--upstream IP:PORT]...
 * [--label KEY=VALUE]... [--runtime NAME] [IMAGE]}. The sandbox is described by the config file when given, else
 * by {@code IMAGE}; an image on the command line overrides the file's. Egress is denied unless the config file's
 * policy or an {@code --allow} allows it; {@code --allow} rules are added after the file's rules.
 *
 * @param config    a {@code sandbox.json} to start from
 * @param image     the image to run, if not (only) from the config
 * @param allow     hosts (with optional port) the sandbox may reach, e.g. {@code pypi.org:443}
 * @param upstreams DNS upstreams for allowed names, IP and port, e.g. {@code 127.0.0.1:5353}; default the host's
 * @param labels    extra labels on the sandbox
 * @param runtime   the runtime by name; default detected
 */
public record McpOptions(Optional<Path> config, Optional<String> image, List<String> allow, List<String> upstreams,
                         Map<String, String> labels, Optional<String> runtime) {
    /** The usage line printed with argument errors. */
    public static final String USAGE = "usage: sandbox mcp [--config sandbox.json] [--allow HOST[:PORT]]... "
            + "[--upstream IP:PORT]... [--label KEY=VALUE]... [--runtime NAME] [IMAGE]";

    /**
     * Copies the lists and the map into unmodifiable ones.
     *
     * @param config    a {@code sandbox.json} to start from
     * @param image     the image to run, if not (only) from the config
     * @param allow     hosts (with optional port) the sandbox may reach, e.g. {@code pypi.org:443}
     * @param upstreams DNS upstreams for allowed names, IP and port, e.g. {@code 127.0.0.1:5353}; default the host's
     * @param labels    extra labels on the sandbox
     * @param runtime   the runtime by name; default detected
     * @throws SandboxConfigException if neither a config file nor an image is given
     */
    public McpOptions {
        allow = List.copyOf(allow);
        upstreams = List.copyOf(upstreams);
        labels = Map.copyOf(labels);
        if (config.isEmpty() && image.isEmpty()) {
            throw new SandboxConfigException("the MCP server needs an image or a config file: " + USAGE);
        }
    }

    /**
     * Parses the server's arguments.
     *
     * @param args the arguments after {@code sandbox mcp}, in the form of {@link #USAGE}
     * @return the options
     * @throws SandboxConfigException naming the bad argument, with the usage
     */
    public static McpOptions parse(String... args) {
        Path config = null;
        String image = null;
        String runtime = null;
        List<String> allow = new ArrayList<>();
        List<String> upstreams = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--config" -> config = Path.of(value(args, ++i, a));
                case "--allow" -> allow.add(value(args, ++i, a));
                case "--upstream" -> upstreams.add(value(args, ++i, a));
                case "--runtime" -> runtime = value(args, ++i, a);
                case "--label" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new SandboxConfigException("--label wants KEY=VALUE, got \"" + kv + "\". " + USAGE);
                    }
                    labels.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new SandboxConfigException("unknown option " + a + ". " + USAGE);
                    }
                    if (image != null) {
                        throw new SandboxConfigException("one image only, got \"" + image + "\" and \"" + a + "\". "
                                + USAGE);
                    }
                    image = a;
                }
            }
        }
        return new McpOptions(Optional.ofNullable(config), Optional.ofNullable(image), allow, upstreams, labels,
                Optional.ofNullable(runtime));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new SandboxConfigException(option + " needs a value. " + USAGE);
        }
        return args[i];
    }

    /**
     * The sandbox these options describe: checked now, started lazily by the server. Reads the config file, if
     * any, each time it is called.
     *
     * @return the spec, with the {@code --allow} rules and {@code --upstream} servers added to its egress policy
     * @throws SandboxConfigException if the config file or a rule is invalid
     */
    public SandboxSpec spec() {
        SandboxSpec.Builder b = config.map(SandboxConfigFile::read).orElseGet(Sandbox::builder);
        image.ifPresent(b::image);
        runtime.ifPresent(b::runtime);
        labels.forEach(b::label);
        SandboxSpec base = b.build();
        EgressPolicy policy = base.egress();
        for (String rule : allow) {
            policy = allow(policy, rule);
        }
        for (String upstream : upstreams) {
            policy = policy.withUpstream(upstream(upstream));
        }
        return base.toBuilder().egress(policy).build();
    }

    private static EgressPolicy allow(EgressPolicy policy, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && hostPort.indexOf(':') == colon && hostPort.substring(colon + 1).chars().allMatch(Character::isDigit)
                && colon < hostPort.length() - 1) {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            return policy.allow(hostPort.substring(0, colon), port);
        }
        return policy.allow(hostPort);
    }

    private static InetSocketAddress upstream(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new SandboxConfigException("--upstream wants IP:PORT, such as 127.0.0.1:5353, got \"" + text + "\"");
        }
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = host.contains(":") && host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':');
        if (!ipv4 && !ipv6) {
            throw new SandboxConfigException("--upstream wants an IP address, not a name: \"" + text + "\"");
        }
        try {
            return new InetSocketAddress(java.net.InetAddress.getByName(host),
                    Integer.parseInt(text.substring(colon + 1)));
        } catch (java.net.UnknownHostException | NumberFormatException e) {
            throw new SandboxConfigException("--upstream wants IP:PORT, such as 127.0.0.1:5353, got \"" + text + "\"");
        }
    }
}
