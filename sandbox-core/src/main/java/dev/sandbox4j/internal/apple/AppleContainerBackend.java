package dev.sandbox4j.internal.apple;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.MemorySize;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.internal.CliExec;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Apple {@code container} backend: argument lists from {@link AppleContainerArgs}, output read by
 * {@link AppleContainerParser}, failures mapped by {@link AppleErrors}, every process started through the
 * {@link CommandRunner}. Each container is its own lightweight VM.
 */
public final class AppleContainerBackend implements RuntimeBackend {
    /** Overrides {@code --os/--arch} for run/create when set; scrubbed from every child environment. */
    public static final String PLATFORM_ENV = "CONTAINER_DEFAULT_PLATFORM";
    /** The VM of a container gets one vCPU more than the container ({@code cpuOverhead = 1}). */
    public static final int VM_CPU_OVERHEAD = 1;
    /** The VM of a container gets 128 MiB more than the container ({@code memoryOverhead}). */
    public static final long VM_MEMORY_OVERHEAD = 128L << 20;
    /** The API server refuses less ({@code minimum memory amount allowed is 200 MiB}). */
    public static final long MINIMUM_MEMORY = 200L << 20;
    /** What a container gets when the spec sets no limit ({@code [container] cpus/memory} defaults). */
    public static final int DEFAULT_CPUS = 4;
    public static final long DEFAULT_MEMORY = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(AppleContainerBackend.class);
    private static final Logger BUILD_LOG = LoggerFactory.getLogger("dev.sandbox4j.build");
    private static final Duration SHORT = Duration.ofSeconds(30);
    /** {@code system start} waits up to 10 s for the API server, plus kernel and init image downloads. */
    static final Duration SYSTEM_START_TIMEOUT = Duration.ofMinutes(5);

    private final CommandRunner runner;
    private final AppleContainerArgs args;
    private final AppleRunOptions options;
    private final AppleHostCheck.Limits limits;
    private final Object serviceLock = new Object();

    public AppleContainerBackend(CommandRunner runner, AppleContainerArgs args, AppleRunOptions options,
                                 AppleHostCheck.Limits limits) {
        this.runner = runner;
        this.args = args;
        this.options = options;
        this.limits = limits;
    }

    @Override
    public String name() {
        return AppleContainerProvider.NAME;
    }

    @Override
    public Optional<String> capDropUnsupportedReason() {
        return AppleFeature.CAP_DROP.supportedBy(version()) ? Optional.empty()
                : Optional.of("egress control needs container 0.12.0 or later, which can drop NET_ADMIN and NET_RAW "
                        + "(--cap-drop); found " + version() + ": upgrade from "
                        + "https://github.com/apple/container/releases");
    }

    public AppleCliVersion version() {
        return args.version();
    }

    public AppleHostCheck.Limits limits() {
        return limits;
    }

    /** Every CLI call: never with the platform override the user's shell may carry. */
    private static Command.Builder command(List<String> argv) {
        return Command.builder(argv).unsetEnv(PLATFORM_ENV);
    }

    private CommandResult run(List<String> argv, Duration timeout) {
        return runner.run(command(argv).timeout(timeout).build());
    }

    /** Runs, and when the system service turns out to be down, starts it and runs once more. */
    private CommandResult runStartingService(Command cmd) {
        CommandResult r = runner.run(cmd);
        if (r.exitCode() != 0 && AppleErrors.classify(r) == AppleErrorKind.SERVICE_NOT_RUNNING) {
            LOG.info("the container system service is down; starting it");
            ensureServiceRunning();
            r = runner.run(cmd);
        }
        return r;
    }

    private CommandResult require(List<String> argv, Duration timeout, String what) {
        CommandResult r = runStartingService(command(argv).timeout(timeout).build());
        if (r.exitCode() != 0) {
            throw AppleErrors.failure(r, what);
        }
        return r;
    }

    /** The service's status; a down service is a status, not an error. */
    public AppleSystemStatus systemStatus() {
        CommandResult r = run(args.systemStatus(), SHORT);
        if (r.exitCode() != 0 && r.stdout().isBlank()) {
            AppleErrorKind kind = AppleErrors.classify(r);
            if (kind != AppleErrorKind.SERVICE_NOT_RUNNING && kind != AppleErrorKind.OTHER) {
                throw AppleErrors.failure(r, "reading the container system status");
            }
        }
        return AppleContainerParser.systemStatus(r.stdout(), r.exitCode());
    }

    /**
     * Starts the system service ({@code container system start --enable-kernel-install}) unless it runs. Nothing
     * restarts it after a reboot or login, so every new JVM may find it down.
     */
    public void ensureServiceRunning() {
        synchronized (serviceLock) {
            AppleSystemStatus status = systemStatus();
            if (status.running()) {
                return;
            }
            LOG.info("container system service is {}; running `container system start`", status.status());
            CommandResult r = run(args.systemStart(), SYSTEM_START_TIMEOUT);
            AppleSystemStatus after = r.exitCode() == 0 ? systemStatus() : status;
            if (r.exitCode() != 0 || !after.running()) {
                String said = AppleErrors.message(r.stderr());
                throw RuntimeUnavailableException.of("the container system service could not be started:",
                        Map.of(AppleContainerProvider.NAME, "`container system start --enable-kernel-install` "
                                + "exited " + r.exitCode() + (said.isEmpty() ? "" : " (" + said + ")")
                                + " and the status is \"" + after.status() + "\": " + AppleErrors.START_HINT));
            }
            LOG.info("container system service started ({})", after.apiServerVersion().orElse("version unknown"));
        }
    }

    @Override
    public void validate(SandboxSpec spec) {
        int cpus = AppleContainerArgs.wholeCpus(spec.cpus());
        int vmCpus = (cpus == 0 ? DEFAULT_CPUS : cpus) + VM_CPU_OVERHEAD;
        if (limits.maxCpus() > 0 && vmCpus > limits.maxCpus()) {
            long most = limits.maxCpus() - VM_CPU_OVERHEAD;
            throw new SandboxConfigException((cpus == 0 ? "the default of " + DEFAULT_CPUS + " CPUs" : "cpus "
                    + spec.cpus()) + " needs a VM of " + vmCpus + " vCPUs (container adds " + VM_CPU_OVERHEAD
                    + " per VM), but this Mac allows at most " + limits.maxCpus() + " per VM: ask for cpus("
                    + most + ") or fewer");
        }
        long memory = spec.memory().map(MemorySize::bytes).orElse(DEFAULT_MEMORY);
        if (memory < MINIMUM_MEMORY) {
            throw new SandboxConfigException("memory " + spec.memory().orElseThrow() + " is below the 200m that "
                    + "container accepts: ask for memory(\"200m\") or more");
        }
        long vmMemory = (memory >> 20 << 20) + VM_MEMORY_OVERHEAD;
        long cap = limits.maxMemoryBytes() > 0 && limits.physicalMemoryBytes() > 0
                ? Math.min(limits.maxMemoryBytes(), limits.physicalMemoryBytes())
                : Math.max(limits.maxMemoryBytes(), limits.physicalMemoryBytes());
        if (cap > 0 && vmMemory > cap) {
            throw new SandboxConfigException((spec.memory().isEmpty() ? "the default memory of 1g" : "memory "
                    + spec.memory().get()) + " needs a VM of " + MemorySize.ofBytes(vmMemory) + " (container adds "
                    + "128m per VM), but at most " + MemorySize.ofBytes(cap) + " is allowed here: ask for at most "
                    + MemorySize.ofMebibytes((cap - VM_MEMORY_OVERHEAD) >> 20));
        }
        for (PortMapping p : spec.ports()) {
            AppleFeature.PUBLISH.require(args.version(), "publishing port " + p.containerPort());
            if (p.hostPort() == 1 || p.containerPort() == 1) {
                throw new SandboxConfigException("port 1 cannot be published with container (ports must be above "
                        + "1): choose another port than in " + p);
            }
            if (p.hostIp().contains(":")) {
                AppleFeature.IPV6_PUBLISH.require(args.version(), "publishing on " + p.hostIp());
            }
        }
        if (options.readOnlyRootfs()) {
            AppleFeature.READ_ONLY.require(args.version(), "a read-only root filesystem");
        }
        if (!options.initImage().isEmpty()) {
            AppleFeature.INIT_IMAGE.require(args.version(), "init image " + options.initImage());
        }
    }

    @Override
    public String prepareImage(SandboxSpec spec, Duration timeout) {
        if (spec.image() instanceof ImageSource.Reference ref) {
            String reference = ref.reference();
            boolean present = spec.pullPolicy() != PullPolicy.ALWAYS && imagePresent(reference, timeout);
            if (present) {
                return reference;
            }
            if (spec.pullPolicy() == PullPolicy.NEVER) {
                throw new SandboxConfigException("image " + reference + " is not available locally: build it "
                        + "(`container build -t " + reference + " DIR`), pull it (`container image pull "
                        + reference + "`), or allow pulling with pullPolicy(PullPolicy.MISSING)");
            }
            LOG.info("pulling {}", reference);
            require(args.imagePull(reference), timeout, "pulling image " + reference);
            return reference;
        }
        ImageSource.Build build = (ImageSource.Build) spec.image();
        String tag = "localhost/sandbox4j-build/" + digest(build.dockerfile() + "\0" + build.context()) + ":latest";
        LOG.info("building {} as {}", build, tag);
        CommandResult r = runStartingService(command(args.build(build, tag, Map.of(Ownership.MANAGED, "true")))
                .timeout(timeout)
                .stdoutLines(line -> BUILD_LOG.info("{}", line))
                .stderrLines(line -> BUILD_LOG.info("{}", line))
                .maxOutputBytes(1 << 20)
                .build());
        if (r.exitCode() != 0) {
            SandboxException cause = AppleErrors.failure(r, "building " + build);
            throw new SandboxStartException("building " + build + " failed (container build exit " + r.exitCode()
                    + "): " + AppleErrors.message(r.stderr()), cause);
        }
        return tag;
    }

    /** Whether the image is in the local store, compared by normalised reference. */
    public boolean imagePresent(String reference, Duration timeout) {
        String wanted = normalise(reference);
        return AppleContainerParser.images(require(args.imageList(), timeout, "listing images").stdout()).stream()
                .anyMatch(i -> normalise(i.reference()).equals(wanted));
    }

    /** Docker-style normalisation: {@code alpine} is {@code docker.io/library/alpine:latest}. */
    static String normalise(String reference) {
        String r = reference.strip();
        int slash = r.indexOf('/');
        String first = slash < 0 ? "" : r.substring(0, slash);
        if (slash < 0) {
            r = "docker.io/library/" + r;
        } else if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) {
            r = "docker.io/" + r;
        }
        int lastSlash = r.lastIndexOf('/');
        if (!r.contains("@") && r.indexOf(':', lastSlash) < 0) {
            r = r + ":latest";
        }
        return r.toLowerCase(Locale.ROOT);
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public ContainerInfo start(LaunchRequest request, Duration timeout) {
        List<PortMapping> ports = choosePorts(request.spec().ports());
        List<String> argv = args.run(request, ports, options);
        Command.Builder cmd = command(argv).timeout(timeout);
        request.spec().env().values().forEach(cmd::redact);
        CommandResult r;
        try {
            r = runStartingService(cmd.build());
        } catch (SandboxTimeoutException e) {
            throw new SandboxTimeoutException("sandbox " + request.name() + " did not start within "
                    + timeout.toMillis() + " ms (each sandbox boots a VM; the first run also unpacks the image): "
                    + "raise startupTimeout(...) or check `container list --all`", timeout);
        }
        if (r.exitCode() != 0) {
            SandboxException failure = AppleErrors.failure(r, "starting sandbox " + request.name());
            if (failure instanceof SandboxConfigException) {
                throw failure;
            }
            throw new SandboxStartException("container could not start sandbox " + request.name() + ": "
                    + failure.getMessage(), failure);
        }
        String printed = r.stdout().strip();
        String id = printed.isEmpty() ? request.name() : printed.substring(printed.lastIndexOf('\n') + 1).strip();
        Map<Integer, Integer> hostPorts = new HashMap<>();
        for (PortMapping p : ports) {
            if (p.protocol().equals("tcp")) {
                hostPorts.put(p.containerPort(), p.hostPort());
            }
        }
        return new ContainerInfo(id, request.name(), hostPorts, request.labels(), true);
    }

    /** The CLI cannot pick a free host port, so host port 0 becomes one free now on the requested address. */
    static List<PortMapping> choosePorts(List<PortMapping> requested) {
        List<PortMapping> chosen = new ArrayList<>();
        for (PortMapping p : requested) {
            if (p.hostPort() != 0) {
                chosen.add(p);
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(p.hostIp()), 0));
                chosen.add(new PortMapping(p.hostIp(), s.getLocalPort(), p.containerPort(), p.protocol()));
            } catch (IOException e) {
                throw new SandboxConfigException("no free port on " + p.hostIp() + " to publish " + p.containerPort()
                        + ": " + e.getMessage());
            }
        }
        return chosen;
    }

    /** The container as the CLI describes it, or empty when it does not exist. */
    public Optional<AppleContainer> inspect(String id) {
        CommandResult r = runStartingService(command(args.inspect(id)).timeout(SHORT).build());
        if (r.exitCode() != 0) {
            if (AppleErrors.classify(r) == AppleErrorKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw AppleErrors.failure(r, "inspecting container " + id);
        }
        return AppleContainerParser.containers(r.stdout()).stream().findFirst();  // 0.x prints [] when missing
    }

    @Override
    public ExecResult exec(String id, Exec exec, ExecListener listener) {
        String marker = UUID.randomUUID().toString();
        CommandResult r = CliExec.run(runner, command(args.exec(id, exec, marker)), exec, listener,
                () -> killMarked(id, marker));
        if (r.exitCode() != 0 && cliFailedExec(id, r)) {
            throw AppleErrors.failure(r, "exec in " + id);
        }
        return new ExecResult(exec.command(), r.exitCode(), r.stdoutBytes(), r.stderrBytes(), r.elapsed(),
                r.droppedBytes());
    }

    /**
     * Whether a failed exec failed in the CLI rather than in the workload (whose exit status the CLI returns).
     * Only the CLI's own texts about this container or the service count; anything else is the workload's.
     */
    static boolean cliFailedExec(String id, CommandResult r) {
        String err = r.stderr();
        if (!err.startsWith("Error: ")) {
            return false;
        }
        AppleErrorKind kind = AppleErrors.classify(r);
        return switch (kind) {
            case SERVICE_NOT_RUNNING -> true;
            case USAGE -> err.contains("Usage: container");
            case NOT_FOUND, NOT_RUNNING -> err.contains(id) && r.exitCode() == 1;
            default -> false;
        };
    }

    private void killMarked(String id, String marker) {
        try {
            runner.run(command(args.killMarked(id, marker)).timeout(SHORT).build());
        } catch (RuntimeException e) {
            LOG.warn("could not kill the processes of a timed-out exec in {}", id, e);
        }
    }

    @Override
    public RunningCommand openExec(String id, List<String> argv, Map<String, String> env) {
        Command.Builder cmd = command(args.interactiveExec(id, argv, env)).grace(Duration.ofMillis(200));
        env.values().forEach(cmd::redact);
        return runner.start(cmd.build());
    }

    /** Whether this CLI has {@code container copy}; without it, copies stream tar through exec. */
    public boolean copiesWithCli() {
        return AppleFeature.COPY.supportedBy(args.version());
    }

    @Override
    public void copyTo(String id, Path source, String target, Duration timeout) {
        if (copiesWithCli()) {
            require(args.copyTo(id, source, target), timeout, "copying " + source + " into " + id + ":" + target);
            return;
        }
        String[] split = splitPath(target);
        byte[] tar = TarStreams.pack(source, split[1]);
        CommandResult r = runner.run(command(args.tarInto(id, split[0])).stdin(tar).timeout(timeout).build());
        if (r.exitCode() != 0) {
            throw AppleErrors.failure(r, "copying " + source + " into " + id + ":" + target + " (tar through exec)");
        }
    }

    @Override
    public void copyFrom(String id, String source, Path target, Duration timeout) {
        if (copiesWithCli()) {
            require(args.copyFrom(id, source, target), timeout, "copying " + id + ":" + source + " to " + target);
            return;
        }
        String[] split = splitPath(source);
        CommandResult r = run(args.tarOutOf(id, split[0], split[1]), timeout);
        if (r.exitCode() != 0) {
            throw AppleErrors.failure(r, "copying " + id + ":" + source + " to " + target + " (tar through exec)");
        }
        TarStreams.unpack(new ByteArrayInputStream(r.stdoutBytes()), split[1], target);
    }

    /** "/work/out.txt" → ["/work", "out.txt"]; "/x" → ["/", "x"]. */
    static String[] splitPath(String containerPath) {
        String p = containerPath;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        if (slash < 0 || p.equals("/")) {
            throw new SandboxConfigException("container path \"" + containerPath + "\" must be absolute and name "
                    + "a file or directory, like /work/out.txt");
        }
        return new String[] {slash == 0 ? "/" : p.substring(0, slash), p.substring(slash + 1)};
    }

    @Override
    public String logs(String id, Duration timeout) {
        return require(args.logs(id), timeout, "reading the logs of " + id).stdout();
    }

    /** Stops a container: its stop signal, then SIGKILL after {@code grace}. Stopping a stopped one succeeds. */
    public void stop(String id, Duration grace, Duration timeout) {
        require(args.stop(id, (int) Math.min(Integer.MAX_VALUE, grace.toSeconds())), timeout, "stopping " + id);
    }

    /** Sends a signal ({@code KILL}, {@code TERM}, ...) to the container's init process. */
    public void kill(String id, String signal, Duration timeout) {
        require(args.kill(id, signal), timeout, "sending " + signal + " to " + id);
    }

    @Override
    public void remove(String id, Duration timeout) {
        CommandResult r = runStartingService(command(args.delete(id)).timeout(timeout).build());
        if (r.exitCode() != 0) {
            if (AppleErrors.classify(r) == AppleErrorKind.NOT_FOUND) {
                LOG.debug("container {} was already gone", id);
                return;
            }
            throw AppleErrors.failure(r, "removing container " + id);
        }
    }

    /** Every container the CLI knows, running or not. */
    public List<AppleContainer> containers(Duration timeout) {
        return AppleContainerParser.containers(require(args.list(), timeout, "listing containers").stdout());
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels, Duration timeout) {
        return containers(timeout).stream().filter(c -> c.hasLabels(labels)).map(AppleContainer::toContainerInfo)
                .toList();
    }

    /**
     * Creates a network. The CLI has no switch to keep its DNS off a network; sandboxes on it get their resolver
     * from {@link LaunchRequest#dns()} ({@code --dns}) instead.
     */
    @Override
    public NetworkInfo createNetwork(String name, Map<String, String> labels, Duration timeout) {
        require(args.networkCreate(name, labels), timeout, "creating network " + name);
        try {
            List<AppleNetwork> found = AppleContainerParser.networks(
                    require(args.networkInspect(name), timeout, "inspecting network " + name).stdout());
            if (found.isEmpty()) {
                throw new SandboxException("network " + name + " was created but `container network inspect` "
                        + "does not show it");
            }
            return found.get(0).toNetworkInfo();
        } catch (RuntimeException e) {
            try {
                removeNetwork(name, timeout);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void removeNetwork(String name, Duration timeout) {
        CommandResult r = runStartingService(command(args.networkDelete(name)).timeout(timeout).build());
        if (r.exitCode() != 0) {
            if (AppleErrors.classify(r) == AppleErrorKind.NOT_FOUND) {
                LOG.debug("network {} was already gone", name);
                return;
            }
            throw AppleErrors.failure(r, "removing network " + name);
        }
    }

    @Override
    public List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout) {
        return AppleContainerParser.networks(require(args.networkList(), timeout, "listing networks").stdout())
                .stream().filter(n -> n.hasLabels(labels)).map(AppleNetwork::toNetworkInfo).toList();
    }
}
