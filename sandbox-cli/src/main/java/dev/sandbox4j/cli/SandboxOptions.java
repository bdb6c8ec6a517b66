package dev.sandbox4j.cli;

import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.config.SandboxConfigFile;
import dev.sandbox4j.egress.EgressPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that describe a sandbox, shared by {@code run} and {@code audit}, spelled as {@code docker run}'s;
 * {@link #builder} applies them.
 */
final class SandboxOptions {
    @Option(names = {"-v", "--mount"}, paramLabel = "SRC:DST[:ro]",
            description = "Mount a host path (relative to the current directory) read-write, or read-only with :ro.")
    List<String> mounts = new ArrayList<>();

    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:][HOST:]PORT[/PROTO]",
            description = "Publish a container port: on a free port of 127.0.0.1 (PORT), on HOST port, on IP (default "
                    + "127.0.0.1); PROTO tcp (default) or udp.")
    List<String> publish = new ArrayList<>();

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit in cores (fractions allowed). Default: none.")
    Double cpus;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit such as 512m or 2g. Default: none.")
    String memory;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]",
            description = "Set an environment variable; NAME alone copies it from this environment.")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE",
            description = "Read environment variables from FILE: NAME=VALUE lines (NAME alone copies it from this "
                    + "environment); blank lines and lines starting with # are skipped. -e options come after.")
    List<Path> envFiles = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME",
            description = "A name for the sandbox that exec, logs, cp, stop, inspect and rm accept.")
    String name;

    @Option(names = "--rm", description = "Remove the sandbox when the command exits: always the case without -d.")
    boolean rm;

    @Option(names = "--pull", paramLabel = "POLICY",
            description = "When to pull the image: missing (default), never or always. Progress goes to stderr.")
    String pull = "missing";

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside. Default: the image's.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User name or uid[:gid]. Default: the image's.")
    String user;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Label the container.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--allow", paramLabel = "PATTERN[:PORTS]",
            description = "Allow a host pattern (example.com, *.example.com, **.example.com), optionally on ports 80,443.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "PATTERN[:PORTS]",
            description = "Deny a host pattern; denies are checked before the --allow rules.")
    List<String> deny = new ArrayList<>();

    @Option(names = "--allow-cidr", paramLabel = "CIDR[:PORTS]", description = "Allow an address range such as 203.0.113.0/24.")
    List<String> allowCidr = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Egress policy in text form (one rule per line; 'default allow|deny'; 'upstream IP:PORT').")
    Path policy;

    @Option(names = "--upstream", paramLabel = "IP:PORT",
            description = "DNS server the sandbox's interceptor asks for allowed names. Default: the host's resolvers.")
    List<String> upstreams = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "Start from a sandbox.json; the other options add to it. Then every argument is the command.")
    Path config;

    @Option(names = "--dockerfile", paramLabel = "DIR",
            description = "Build DIR/Dockerfile (or DIR/Containerfile) and run it instead of IMAGE. Then every argument is the command.")
    Path dockerfile;

    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String runtime;

    /** Whether the image comes from an option, so that every positional argument is the command. */
    boolean imageFromOptions() {
        return config != null || dockerfile != null;
    }

    /** A builder with every option applied. Throws {@link SandboxConfigException} for bad values. */
    SandboxSpec.Builder builder(String image) {
        SandboxSpec.Builder b;
        EgressPolicy policy;
        if (config != null) {
            var definition = SandboxConfigFile.load(config);
            b = definition.toBuilder();
            policy = definition.spec().egress();
        } else {
            b = Sandbox.builder();
            policy = EgressPolicy.denyAll();
        }
        if (dockerfile != null) {
            Path dir = dockerfile.toAbsolutePath().normalize();
            Path file = Files.isRegularFile(dir.resolve("Dockerfile")) || !Files.isRegularFile(dir.resolve("Containerfile"))
                    ? dir.resolve("Dockerfile") : dir.resolve("Containerfile");
            b.dockerfile(dir, file);
        } else if (image != null) {
            b.image(image);
        }
        for (String m : mounts) {
            b.mount(mount(m));
        }
        for (String p : publish) {
            b.publish(PortMapping.parse(p));
        }
        if (cpus != null) {
            b.cpus(cpus);
        }
        if (memory != null) {
            b.memory(memory);
        }
        List<String> variables = new ArrayList<>();
        for (Path file : envFiles) {
            variables.addAll(envFile(file));
        }
        variables.addAll(env);
        for (String e : variables) {
            int eq = e.indexOf('=');
            if (eq < 0) {
                String value = System.getenv(e);
                if (value == null) {
                    throw new SandboxConfigException("-e " + e + ": no such variable in this environment; write -e "
                            + e + "=VALUE");
                }
                b.env(e, value);
            } else {
                b.env(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        if (workdir != null) {
            b.workdir(workdir);
        }
        if (user != null) {
            b.user(user);
        }
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new SandboxConfigException("--label " + l + ": write KEY=VALUE");
            }
            b.label(l.substring(0, eq), l.substring(eq + 1));
        }
        if (runtime != null) {
            b.runtime(runtime);
        }
        if (name != null) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw new SandboxConfigException("--name " + name + ": use letters, digits, '_', '.' and '-' "
                        + "(up to 63, starting with a letter or digit)");
            }
            b.label(Targets.NAME_LABEL, name);
        }
        b.pullPolicy(pullPolicy(pull));
        b.egress(policy(policy));
        return b;
    }

    /** The egress policy: the file's (or the config's, or deny-all), then --deny, --allow, --allow-cidr, --upstream. */
    EgressPolicy policy(EgressPolicy base) {
        EgressPolicy p = base;
        if (policy != null) {
            try {
                p = EgressPolicy.parse(Files.readString(policy));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read policy file " + policy, e);
            }
        }
        for (String d : deny) {
            p = p.with(EgressPolicy.parseRule("deny " + d));
        }
        for (String a : allow) {
            p = p.with(EgressPolicy.parseRule("allow " + a));
        }
        for (String c : allowCidr) {
            p = p.with(EgressPolicy.parseRule("allow-cidr " + c));
        }
        for (String u : upstreams) {
            p = p.withUpstream(upstream(u));
        }
        return p;
    }

    static PullPolicy pullPolicy(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "missing" -> PullPolicy.MISSING;
            case "never" -> PullPolicy.NEVER;
            case "always" -> PullPolicy.ALWAYS;
            default -> throw new SandboxConfigException("--pull " + text + ": use missing, never or always");
        };
    }

    /** The variables of a docker-style env file, one NAME=VALUE or NAME per line. */
    static List<String> envFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new SandboxConfigException("--env-file " + file + ": cannot read it (" + e.getMessage() + ")", e);
        }
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                out.add(l);
            }
        }
        return out;
    }

    static InetSocketAddress upstream(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? text : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (colon < 0 || !(host.matches("[0-9.]+") || host.contains(":"))) {
            throw new SandboxConfigException("--upstream " + text + ": write an IP address and a port, such as 127.0.0.1:53");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port(text.substring(colon + 1), text));
        } catch (UnknownHostException e) {
            throw new SandboxConfigException("--upstream " + text + ": not an IP address", e);
        }
    }

    static dev.sandbox4j.Mount mount(String text) {
        String[] parts = text.split(":", -1);
        boolean readOnly = parts.length == 3 && parts[2].equals("ro");
        if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !readOnly && !parts[2].equals("rw"))
                || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new SandboxConfigException("-v " + text + ": write SRC:DST or SRC:DST:ro, e.g. -v ./src:/src:ro");
        }
        return new dev.sandbox4j.Mount(Path.of(parts[0]).toAbsolutePath().normalize(), parts[1], readOnly);
    }

    static int port(String text, String option) {
        try {
            int p = Integer.parseInt(text);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new SandboxConfigException("'" + option + "': port '" + text + "' is not a number 1..65535");
        }
    }
}
