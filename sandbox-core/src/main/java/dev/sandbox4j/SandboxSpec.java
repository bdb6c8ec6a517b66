package dev.sandbox4j;

import dev.sandbox4j.egress.EgressPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The immutable description of a sandbox: what image, what it may see, what it may use, where it may connect.
 * Made by {@link Sandbox#builder()}; derive variants with {@link #toBuilder()}. Every value was checked when
 * the spec was built. Building reads nothing from the host: whether mount sources and the Dockerfile exist, the
 * runtime is installed and the limits fit this machine is checked by {@code start()}, on the machine that starts
 * it (so a spec is a plain value that can be built anywhere, compared and stored).
 *
 * @param image          the image reference or the Dockerfile to build
 * @param command        the sandbox's main process; empty means a keep-alive process that waits for execs
 * @param mounts         host paths visible inside, in order
 * @param ports          published ports
 * @param cpus           CPU limit in cores; 0 means no limit
 * @param memory         memory limit; empty means no limit
 * @param env            environment for the main process and every exec
 * @param workdir        default working directory
 * @param user           default user (name or uid[:gid])
 * @param labels         labels put on the container (plus Sandbox4j's own ownership labels)
 * @param egress         where the sandbox may connect
 * @param runtime        the runtime to use by name; empty means detect
 * @param startupTimeout how long {@code start()} may take, image build excluded
 * @param pullPolicy     when images may be pulled
 * @param detached       whether the sandbox outlives this JVM: not removed at JVM exit, not reaped as an orphan,
 *                       found again with {@link Sandbox#attach(String)}; only with {@link EgressPolicy#allowAll()}
 * @param idleTimeout    close the sandbox after it was not used this long; empty means never
 * @param maxLifetime    close the sandbox this long after it started, used or not; empty means never
 */
public record SandboxSpec(
        ImageSource image,
        List<String> command,
        List<Mount> mounts,
        List<PortMapping> ports,
        double cpus,
        Optional<MemorySize> memory,
        Map<String, String> env,
        Optional<String> workdir,
        Optional<String> user,
        Map<String, String> labels,
        EgressPolicy egress,
        Optional<String> runtime,
        Duration startupTimeout,
        PullPolicy pullPolicy,
        boolean detached,
        Optional<Duration> idleTimeout,
        Optional<Duration> maxLifetime) {

    /** Startup timeout unless set otherwise. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Label prefix reserved for Sandbox4j's own labels. */
    public static final String LABEL_PREFIX = "dev.sandbox4j";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,252}");
    private static final int MAX_ENV_VALUE = 128 * 1024;
    private static final Duration MIN_LIFETIME = Duration.ofSeconds(1);

    /**
     * Checks and copies every component; the lists and maps are copied into unmodifiable ones, so later changes to
     * the arguments do not reach the spec. Reads nothing from the host.
     *
     * @param image          the image reference or the Dockerfile to build
     * @param command        the sandbox's main process; empty means a keep-alive process that waits for execs
     * @param mounts         host paths visible inside, in order
     * @param ports          published ports
     * @param cpus           CPU limit in cores; 0 means no limit
     * @param memory         memory limit; empty means no limit
     * @param env            environment for the main process and every exec
     * @param workdir        default working directory
     * @param user           default user (name or uid[:gid])
     * @param labels         labels put on the container (plus Sandbox4j's own ownership labels)
     * @param egress         where the sandbox may connect
     * @param runtime        the runtime to use by name; empty means detect
     * @param startupTimeout how long {@code start()} may take, image build excluded
     * @param pullPolicy     when images may be pulled
     * @param detached       whether the sandbox outlives this JVM: not removed at JVM exit, not reaped as an orphan,
     *                       found again with {@link Sandbox#attach(String)}; only with {@link EgressPolicy#allowAll()}
     * @param idleTimeout    close the sandbox after it was not used this long; empty means never
     * @param maxLifetime    close the sandbox this long after it started, used or not; empty means never
     * @throws SandboxConfigException if {@code image}, {@code egress} or {@code pullPolicy} is null, the startup
     *         timeout is not positive, a value is malformed (environment name, label key, workdir, user, runtime
     *         name, cpus, memory below 6m), two mounts share a target, a port is published twice, a lifetime is
     *         shorter than 1 second or the idle timeout exceeds the maximum lifetime, or {@code detached} is combined
     *         with an egress policy other than allow-all or with a lifetime
     */
    public SandboxSpec {
        if (image == null) {
            throw new SandboxConfigException("no image: call image(\"localhost/busybox:latest\") or dockerfile(dir)");
        }
        command = List.copyOf(command);
        mounts = List.copyOf(mounts);
        ports = List.copyOf(ports);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        if (egress == null) {
            throw new SandboxConfigException("egress policy must not be null: use EgressPolicy.denyAll() or allowAll()");
        }
        if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new SandboxConfigException("startup timeout must be positive, got " + startupTimeout);
        }
        if (pullPolicy == null) {
            throw new SandboxConfigException("pull policy must not be null");
        }
        validate(image, command, mounts, ports, cpus, memory, env, workdir, user, labels, runtime);
        if (detached && !egress.allowsEverything()) {
            throw new SandboxConfigException("a detached sandbox outlives the JVM whose DNS interceptor enforces its "
                    + "egress policy, so it cannot be policed: use egress(EgressPolicy.allowAll()) for a detached "
                    + "sandbox, or leave detached(false) to keep the policy");
        }
        checkLifetimes(idleTimeout, maxLifetime, detached);
    }

    /**
     * A spec without idle timeout or maximum lifetime; see the canonical constructor for what is checked.
     *
     * @param image          the image reference or the Dockerfile to build
     * @param command        the sandbox's main process; empty means a keep-alive process that waits for execs
     * @param mounts         host paths visible inside, in order
     * @param ports          published ports
     * @param cpus           CPU limit in cores; 0 means no limit
     * @param memory         memory limit; empty means no limit
     * @param env            environment for the main process and every exec
     * @param workdir        default working directory
     * @param user           default user (name or uid[:gid])
     * @param labels         labels put on the container
     * @param egress         where the sandbox may connect
     * @param runtime        the runtime to use by name; empty means detect
     * @param startupTimeout how long {@code start()} may take, image build excluded
     * @param pullPolicy     when images may be pulled
     * @param detached       whether the sandbox outlives this JVM
     * @throws SandboxConfigException if a value is invalid, as for the canonical constructor
     */
    public SandboxSpec(ImageSource image, List<String> command, List<Mount> mounts, List<PortMapping> ports,
                       double cpus, Optional<MemorySize> memory, Map<String, String> env, Optional<String> workdir,
                       Optional<String> user, Map<String, String> labels, EgressPolicy egress,
                       Optional<String> runtime, Duration startupTimeout, PullPolicy pullPolicy, boolean detached) {
        this(image, command, mounts, ports, cpus, memory, env, workdir, user, labels, egress, runtime,
                startupTimeout, pullPolicy, detached, Optional.empty(), Optional.empty());
    }

    private static void checkLifetimes(Optional<Duration> idleTimeout, Optional<Duration> maxLifetime,
                                       boolean detached) {
        if (idleTimeout == null || maxLifetime == null) {
            throw new SandboxConfigException("idleTimeout and maxLifetime must not be null: use Optional.empty()");
        }
        idleTimeout.ifPresent(d -> checkLifetime("idleTimeout", d));
        maxLifetime.ifPresent(d -> checkLifetime("maxLifetime", d));
        if (idleTimeout.isPresent() && maxLifetime.isPresent() && idleTimeout.get().compareTo(maxLifetime.get()) > 0) {
            throw new SandboxConfigException("idleTimeout " + idleTimeout.get() + " is longer than maxLifetime "
                    + maxLifetime.get() + ", so it could never apply: shorten the idle timeout or drop it");
        }
        if (detached && (idleTimeout.isPresent() || maxLifetime.isPresent())) {
            throw new SandboxConfigException("a detached sandbox outlives the JVM that would enforce idleTimeout and "
                    + "maxLifetime: drop them, or leave detached(false) (a non-detached sandbox is also removed at "
                    + "JVM exit)");
        }
    }

    private static void checkLifetime(String name, Duration d) {
        if (d.compareTo(MIN_LIFETIME) < 0) {
            throw new SandboxConfigException(name + " must be at least 1 second, got " + d);
        }
    }

    /**
     * A new builder holding every value of this spec, to derive a variant; changing the builder does not change
     * this spec.
     *
     * @return a fresh builder preset from this spec
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.image = image;
        b.command.addAll(command);
        b.mounts.addAll(mounts);
        b.ports.addAll(ports);
        b.cpus = cpus;
        b.memory = memory.orElse(null);
        b.env.putAll(env);
        b.workdir = workdir.orElse(null);
        b.user = user.orElse(null);
        b.labels.putAll(labels);
        b.egress = egress;
        b.runtime = runtime.orElse(null);
        b.startupTimeout = startupTimeout;
        b.pullPolicy = pullPolicy;
        b.detached = detached;
        b.idleTimeout = idleTimeout.orElse(null);
        b.maxLifetime = maxLifetime.orElse(null);
        return b;
    }

    /**
     * Starts a sandbox from this spec on the shared {@link SandboxRuntime}, which uses the runtime named by
     * {@link #runtime()} or detects one.
     *
     * @return the running sandbox; the caller owns it and must close it
     * @throws RuntimeUnavailableException if no container runtime can be used on this machine
     * @throws SandboxStartException if the image build, container start or egress setup fails
     * @throws SandboxConfigException if the spec does not fit this machine (for example a missing mount source)
     */
    public Sandbox start() {
        return SandboxRuntime.shared().start(this);
    }

    static void checkEnv(String name, String value) {
        if (name == null || !ENV_NAME.matcher(name).matches()) {
            throw new SandboxConfigException("environment variable name \"" + name
                    + "\" is invalid: use letters, digits and '_', not starting with a digit");
        }
        if (value == null) {
            throw new SandboxConfigException("environment variable " + name + " has a null value: use \"\" for empty");
        }
        if (value.indexOf('\0') >= 0) {
            throw new SandboxConfigException("environment variable " + name + " contains a NUL byte, which cannot be passed");
        }
        if (value.length() > MAX_ENV_VALUE) {
            throw new SandboxConfigException("environment variable " + name + " is " + value.length()
                    + " characters long; the limit is " + MAX_ENV_VALUE + ": pass large data as a file with copyTo");
        }
    }

    private static void validate(ImageSource image, List<String> command, List<Mount> mounts, List<PortMapping> ports,
                                 double cpus, Optional<MemorySize> memory, Map<String, String> env,
                                 Optional<String> workdir, Optional<String> user, Map<String, String> labels,
                                 Optional<String> runtime) {
        for (String arg : command) {
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw new SandboxConfigException("command argument is null or contains NUL: " + command);
            }
        }
        Set<String> targets = new HashSet<>();
        for (Mount m : mounts) {
            if (!targets.add(m.target())) {
                throw new SandboxConfigException("two mounts target " + m.target() + ": each target path may be used once");
            }
        }
        Set<String> published = new HashSet<>();
        Set<Integer> fixedHostPorts = new HashSet<>();
        for (PortMapping p : ports) {
            if (!published.add(p.containerPort() + "/" + p.protocol())) {
                throw new SandboxConfigException("container port " + p.containerPort() + "/" + p.protocol()
                        + " is published twice: publish each port once");
            }
            if (p.hostPort() != 0 && !fixedHostPorts.add(p.hostPort())) {
                throw new SandboxConfigException("host port " + p.hostPort() + " is used by two mappings");
            }
        }
        if (Double.isNaN(cpus) || cpus < 0 || Double.isInfinite(cpus)) {
            throw new SandboxConfigException("cpus must be positive, got " + cpus);
        }
        if (memory.isPresent() && memory.get().bytes() < 6L * 1024 * 1024) {
            throw new SandboxConfigException("memory " + memory.get() + " is below the 6m runtimes accept: ask for "
                    + "at least 64m");
        }
        env.forEach(SandboxSpec::checkEnv);
        workdir.ifPresent(w -> {
            if (!w.startsWith("/") || w.indexOf('\0') >= 0) {
                throw new SandboxConfigException("workdir \"" + w + "\" must be an absolute path such as /work");
            }
        });
        user.ifPresent(u -> {
            if (u.isBlank() || !u.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-'
                    || c == ':' || c == '.')) {
                throw new SandboxConfigException("user \"" + u + "\" must be a user name or uid[:gid]");
            }
        });
        labels.forEach((k, v) -> {
            if (k == null || !LABEL_KEY.matcher(k).matches()) {
                throw new SandboxConfigException("label key \"" + k + "\" is invalid: use letters, digits, '.', '-', '_' and '/'");
            }
            if (k.startsWith(LABEL_PREFIX)) {
                throw new SandboxConfigException("label key \"" + k + "\" uses the reserved prefix " + LABEL_PREFIX
                        + ": choose another key");
            }
            if (v == null || v.indexOf('\0') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('=') >= 0) {
                throw new SandboxConfigException("label " + k + " has a value with '=', a newline or NUL, "
                        + "which not every runtime can store: choose a plain value");
            }
        });
        runtime.ifPresent(r -> {
            if (r.isBlank() || !r.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_'
                    || c == '.')) {
                throw new SandboxConfigException("runtime name \"" + r + "\" is invalid: use a name such as "
                        + "\"podman\" or \"apple-container\", or leave it unset to detect one");
            }
        });
    }

    /**
     * Mutable builder for {@link SandboxSpec}; {@link #build()} checks everything and {@link #start()} builds and
     * starts. Each setter says its default.
     */
    public static final class Builder {
        private ImageSource image;
        private final List<String> command = new ArrayList<>();
        private final List<Mount> mounts = new ArrayList<>();
        private final List<PortMapping> ports = new ArrayList<>();
        private double cpus;
        private MemorySize memory;
        private final Map<String, String> env = new LinkedHashMap<>();
        private String workdir;
        private String user;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private EgressPolicy egress = EgressPolicy.DEFAULT;
        private String runtime;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private PullPolicy pullPolicy = PullPolicy.NEVER;
        private boolean detached;
        private Duration idleTimeout;
        private Duration maxLifetime;

        Builder() {
        }

        /**
         * The image to run, by reference such as {@code docker.io/library/python:3.12}. No default: set this or
         * {@link #dockerfile(Path)}.
         *
         * @param reference the image reference, {@code [registry/]name[:tag][@digest]}
         * @return this builder
         * @throws SandboxConfigException if the reference is empty or malformed
         */
        public Builder image(String reference) {
            this.image = new ImageSource.Reference(reference);
            return this;
        }

        /**
         * Builds {@code contextDir/Dockerfile} when the sandbox starts and runs the result. Whether the directory
         * exists is checked by {@code start()}, not here.
         *
         * @param contextDir the build context directory
         * @return this builder
         */
        public Builder dockerfile(Path contextDir) {
            this.image = new ImageSource.Build(contextDir, null, Map.of());
            return this;
        }

        /**
         * Builds {@code dockerfile} (relative to the context or absolute) with {@code contextDir} as context when the
         * sandbox starts, and runs the result.
         *
         * @param contextDir the build context directory
         * @param dockerfile the Dockerfile, relative to {@code contextDir} or absolute
         * @return this builder
         */
        public Builder dockerfile(Path contextDir, Path dockerfile) {
            this.image = new ImageSource.Build(contextDir, dockerfile, Map.of());
            return this;
        }

        /**
         * The image to run, as a reference or a Dockerfile build; replaces any earlier {@code image} or
         * {@code dockerfile} call. No default.
         *
         * @param source where the image comes from; {@code null} makes {@link #build()} fail
         * @return this builder
         */
        public Builder image(ImageSource source) {
            this.image = source;
            return this;
        }

        /**
         * The main process, replacing any earlier command; default: a keep-alive process (the sandbox waits for
         * execs).
         *
         * @param command the program and its arguments; none restores the default
         * @return this builder
         */
        public Builder command(String... command) {
            this.command.clear();
            this.command.addAll(Arrays.asList(command));
            return this;
        }

        /**
         * Mounts a host path read-write. Several allowed, each on its own target; default none.
         *
         * @param source the host file or directory; whether it exists is checked by {@code start()}
         * @param target the absolute path inside the sandbox
         * @return this builder
         * @throws SandboxConfigException if {@code target} is not an absolute path
         */
        public Builder mount(Path source, String target) {
            mounts.add(new Mount(source, target, false));
            return this;
        }

        /**
         * Mounts a host path read-only. Several allowed, each on its own target; default none.
         *
         * @param source the host file or directory; whether it exists is checked by {@code start()}
         * @param target the absolute path inside the sandbox
         * @return this builder
         * @throws SandboxConfigException if {@code target} is not an absolute path
         */
        public Builder mountReadOnly(Path source, String target) {
            mounts.add(new Mount(source, target, true));
            return this;
        }

        /**
         * Adds a mount. Several allowed, each on its own target; default none.
         *
         * @param mount the mount to add
         * @return this builder
         */
        public Builder mount(Mount mount) {
            mounts.add(mount);
            return this;
        }

        /**
         * Publishes a container TCP port on a free port of 127.0.0.1; read it back with {@link Sandbox#hostPort(int)}.
         * Default: nothing published.
         *
         * @param containerPort the port inside the sandbox, 1 to 65535
         * @return this builder
         * @throws SandboxConfigException if the port is out of range
         */
        public Builder publish(int containerPort) {
            ports.add(PortMapping.of(containerPort));
            return this;
        }

        /**
         * Publishes a container TCP port on a fixed port of 127.0.0.1.
         *
         * @param hostPort      the port on 127.0.0.1, 1 to 65535
         * @param containerPort the port inside the sandbox, 1 to 65535
         * @return this builder
         * @throws SandboxConfigException if a port is out of range
         */
        public Builder publish(int hostPort, int containerPort) {
            ports.add(PortMapping.of(hostPort, containerPort));
            return this;
        }

        /**
         * Publishes a port as described by {@code mapping}. Default: nothing published.
         *
         * @param mapping the host and container port and protocol
         * @return this builder
         */
        public Builder publish(PortMapping mapping) {
            ports.add(mapping);
            return this;
        }

        /**
         * CPU limit in cores (fractions allowed); default: no limit.
         *
         * @param cpus the number of cores, greater than 0
         * @return this builder
         * @throws SandboxConfigException if {@code cpus} is not positive or is NaN
         */
        public Builder cpus(double cpus) {
            if (cpus <= 0 || Double.isNaN(cpus)) {
                throw new SandboxConfigException("cpus must be positive, got " + cpus);
            }
            this.cpus = cpus;
            return this;
        }

        /**
         * Memory limit such as {@code "512m"}; default: no limit. At least 6m once built.
         *
         * @param size a size as {@link MemorySize#parse(String)} reads it
         * @return this builder
         * @throws SandboxConfigException if {@code size} cannot be parsed
         */
        public Builder memory(String size) {
            this.memory = MemorySize.parse(size);
            return this;
        }

        /**
         * Memory limit; default: no limit. At least 6m once built.
         *
         * @param size the limit, or {@code null} for no limit
         * @return this builder
         */
        public Builder memory(MemorySize size) {
            this.memory = size;
            return this;
        }

        /**
         * Adds an environment variable for the main process and every exec, replacing an earlier value of the same
         * name; default none.
         *
         * @param name  the variable name: letters, digits and {@code _}, not starting with a digit
         * @param value the value, at most 128 KiB, without NUL; {@code ""} for empty
         * @return this builder
         * @throws SandboxConfigException if the name or value is invalid
         */
        public Builder env(String name, String value) {
            SandboxSpec.checkEnv(name, value);
            env.put(name, value);
            return this;
        }

        /**
         * Default working directory of execs; default: the image's.
         *
         * @param workdir an absolute path inside the sandbox; checked when the spec is built
         * @return this builder
         */
        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        /**
         * Default user of execs; default: the image's.
         *
         * @param user a user name or {@code uid[:gid]}; checked when the spec is built
         * @return this builder
         */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /**
         * Adds a label to the container, replacing an earlier value of the same key; default none. Keys starting
         * with {@code dev.sandbox4j} are reserved.
         *
         * @param key   the label key: letters, digits, {@code . - _ /}
         * @param value the value, without {@code =}, newline or NUL
         * @return this builder
         */
        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        /**
         * Where the sandbox may connect; default {@link EgressPolicy#DEFAULT}.
         *
         * @param policy the policy; {@code null} makes {@link #build()} fail
         * @return this builder
         */
        public Builder egress(EgressPolicy policy) {
            this.egress = policy;
            return this;
        }

        /**
         * The runtime by name ({@code "podman"}, {@code "apple-container"}); default: detected for this host.
         *
         * @param name the runtime name, or {@code null} to detect
         * @return this builder
         */
        public Builder runtime(String name) {
            this.runtime = name;
            return this;
        }

        /**
         * How long {@code start()} may take once the image is there; default 60 seconds.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /**
         * When images may be pulled; default {@link PullPolicy#NEVER}.
         *
         * @param policy the pull policy; {@code null} makes {@link #build()} fail
         * @return this builder
         */
        public Builder pullPolicy(PullPolicy policy) {
            this.pullPolicy = policy;
            return this;
        }

        /**
         * Whether the sandbox outlives this JVM; default {@code false}: it is removed by {@code close()}, at JVM
         * exit, or (after a crash) by the next JVM's orphan reaping. A detached sandbox is none of these: remove it
         * with {@code Sandbox.attach(id).close()}. Needs {@link EgressPolicy#allowAll()}, because the DNS
         * interceptor that enforces any other policy lives in this JVM.
         *
         * @param detached {@code true} to keep the sandbox after this JVM exits
         * @return this builder
         */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /**
         * Closes the sandbox once it has not been used for {@code timeout} (no exec, file operation or copy
         * running or started, no background process alive); default: never. At least 1 second. Enforced by this
         * JVM, so not allowed with {@link #detached(boolean) detached(true)}. Execs on a sandbox closed this way
         * fail with {@link SandboxClosedException}.
         *
         * @param timeout the idle time, or {@code null} for never
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Closes the sandbox {@code lifetime} after it started, in use or not (a running exec is killed with it);
         * default: never. At least 1 second; not allowed with {@link #detached(boolean) detached(true)}.
         *
         * @param lifetime the maximum lifetime, or {@code null} for unlimited
         * @return this builder
         */
        public Builder maxLifetime(Duration lifetime) {
            this.maxLifetime = lifetime;
            return this;
        }

        /**
         * Checks every value and makes the immutable spec. Reads nothing from the host.
         *
         * @return the spec
         * @throws SandboxConfigException if a value is missing or invalid; the message names it and the fix
         */
        public SandboxSpec build() {
            return new SandboxSpec(image, command, mounts, ports, cpus, Optional.ofNullable(memory), env,
                    Optional.ofNullable(workdir), Optional.ofNullable(user), labels, egress,
                    Optional.ofNullable(runtime), startupTimeout, pullPolicy, detached,
                    Optional.ofNullable(idleTimeout), Optional.ofNullable(maxLifetime));
        }

        /**
         * Builds the spec and starts a sandbox from it, as {@code build().start()}.
         *
         * @return the running sandbox; the caller owns it and must close it
         * @throws SandboxConfigException if a value is missing or invalid, or does not fit this machine
         * @throws RuntimeUnavailableException if no container runtime can be used on this machine
         * @throws SandboxStartException if the image build, container start or egress setup fails
         */
        public Sandbox start() {
            return build().start();
        }
    }
}
