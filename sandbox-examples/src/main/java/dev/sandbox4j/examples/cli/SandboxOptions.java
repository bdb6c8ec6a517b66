package dev.sandbox4j.examples.cli;

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

/** The options that describe a sandbox, shared by {@code run} and {@code audit}; {@link #builder} applies them. */
final class SandboxOptions {
    @Option(names = {"-v", "--mount"}, paramLabel = "SRC:DST[:ro]",
            description = "Mount a host path (relative to the current directory) read-write, or read-only with :ro.")
    List<String> mounts = new ArrayList<>();

    @Option(names = {"-p", "--publish"}, paramLabel = "[HOST:]PORT",
            description = "Publish a container TCP port on 127.0.0.1: on a free port, or on HOST port.")
    List<String> publish = new ArrayList<>();

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit in cores (fractions allowed). Default: none.")
    Double cpus;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Memory limit such as 512m or 2g. Default: none.")
    String memory;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]",
            description = "Set an environment variable; NAME alone copies it from this environment.")
    List<String> env = new ArrayList<>();

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
            int colon = p.indexOf(':');
            if (colon < 0) {
                b.publish(port(p, p));
            } else {
                b.publish(port(p.substring(0, colon), p), port(p.substring(colon + 1), p));
            }
        }
        if (cpus != null) {
            b.cpus(cpus);
        }
        if (memory != null) {
            b.memory(memory);
        }
        for (String e : env) {
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
