package dev.sandbox4j.internal.apple;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.MemorySize;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.RuntimeUnavailableException;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.internal.CliExec;
import dev.sandbox4j.internal.ImageBuilds;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.internal.Rollback;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final Duration SHORT = Duration.ofSeconds(30);
    /** {@code system start} waits up to 10 s for the API server, plus kernel and init image downloads. */
    static final Duration SYSTEM_START_TIMEOUT = Duration.ofMinutes(5);

    private final CommandRunner runner;
    private final AppleContainerArgs args;
    private final AppleRunOptions options;
    private final AppleHostCheck.Limits limits;
    private final Object serviceLock = new Object();
    /** Names a start found taken by a container this backend did not create: never deleted by {@link #remove}. */
    private final Set<String> foreign = ConcurrentHashMap.newKeySet();

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

    /**
     * Runs, and when the system service turns out to be down, starts it and runs once more. A timeout
     * ({@link AppleErrorKind#SERVICE_TIMEOUT}) is not a down service: it is returned as it is.
     */
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
        for (Mount m : spec.mounts()) {
            if (Files.isRegularFile(m.source())) {
                AppleFeature.SINGLE_FILE_MOUNTS.require(args.version(), "mounting the file " + m.source());
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
        String tag = ImageBuilds.tag(build);
        LOG.info("building {} as {}", build, tag);
        CommandResult r = runStartingService(ImageBuilds.withProgress(
                command(args.build(build, tag, Map.of(Ownership.MANAGED, "true"))).timeout(timeout)).build());
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

    @Override
    public ContainerInfo start(LaunchRequest request, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<PortMapping> ports = choosePorts(request.spec().ports());
        List<String> argv = args.run(request, ports, options);
        CommandResult r = runContainer(request, argv, timeout);
        if (r.exitCode() != 0) {
            AppleErrorKind kind = AppleErrors.classify(r);
            if (kind == AppleErrorKind.SERVICE_TIMEOUT || kind == AppleErrorKind.ALREADY_EXISTS) {
                // A run that timed out (or whose retry after a dropped connection found the name taken) may have
                // created the container on the server: adopt it if it is ours and running, else clear it and run
                // once more. A container that is not ours is never touched.
                Optional<ContainerInfo> adopted = adoptAfter(request, ports, r, kind, remaining(deadline));
                if (adopted.isPresent()) {
                    return adopted.get();
                }
                r = runContainer(request, argv, remaining(deadline));
            }
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
        return info(request, id, ports);
    }

    private static ContainerInfo info(LaunchRequest request, String id, List<PortMapping> ports) {
        Map<Integer, Integer> hostPorts = new HashMap<>();
        for (PortMapping p : ports) {
            if (p.protocol().equals("tcp")) {
                hostPorts.put(p.containerPort(), p.hostPort());
            }
        }
        return new ContainerInfo(id, request.name(), hostPorts, request.labels(), true);
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SandboxTimeoutException("the sandbox did not start in time: raise startupTimeout(...) or check "
                    + "`container list --all`", Duration.ZERO);
        }
        return Duration.ofNanos(left);
    }

    private CommandResult runContainer(LaunchRequest request, List<String> argv, Duration timeout) {
        Command.Builder cmd = command(argv).timeout(timeout);
        request.spec().env().values().forEach(cmd::redact);
        try {
            return runStartingService(cmd.build());
        } catch (SandboxTimeoutException e) {
            throw new SandboxTimeoutException("sandbox " + request.name() + " did not start within "
                    + timeout.toMillis() + " ms (each sandbox boots a VM; the first run also unpacks the image): "
                    + "raise startupTimeout(...) or check `container list --all`", timeout);
        }
    }

    /**
     * After a {@code run} that timed out or found its name taken: the container by that name, if this request
     * made it (all of the request's labels, which carry this JVM's owner id and the sandbox name). Running: it
     * is adopted. Not running: it is removed, and the caller runs again. Absent: the caller runs again. Made by
     * someone else: refused, and the name is remembered so that cleanup never deletes it.
     */
    private Optional<ContainerInfo> adoptAfter(LaunchRequest request, List<PortMapping> ports, CommandResult failed,
                                               AppleErrorKind kind, Duration timeout) {
        Optional<AppleContainer> existing = inspect(request.name());
        if (existing.isEmpty()) {
            if (kind == AppleErrorKind.SERVICE_TIMEOUT) {
                LOG.info("`container run` of {} timed out and created nothing; running it again", request.name());
            }
            return Optional.empty();
        }
        AppleContainer c = existing.get();
        if (!c.hasLabels(request.labels())) {
            foreign.add(request.name());
            throw new SandboxStartException("a container named " + request.name() + " already exists and was not "
                    + "created by this sandbox (its labels differ), so it is left untouched ("
                    + AppleErrors.message(failed.stderr()) + "): remove it with `container delete " + request.name()
                    + "` if it is a leftover", AppleErrors.failure(failed, "starting sandbox " + request.name()));
        }
        if (c.running()) {
            LOG.info("`container run` of {} reported {} but the container is running: adopting it", request.name(),
                    kind);
            return Optional.of(info(request, request.name(), ports));
        }
        LOG.info("`container run` of {} reported {} and left it {}: removing it and running again", request.name(),
                kind, c.state());
        remove(request.name(), timeout);
        return Optional.empty();
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
            case SERVICE_NOT_RUNNING, SERVICE_TIMEOUT -> true;
            case USAGE -> err.contains("Usage: container");
            // the runtime helper's own text names no id (RuntimeService.swift: "cannot exec: container is not running")
            case NOT_FOUND, NOT_RUNNING -> r.exitCode() == 1
                    && (err.contains(id) || err.contains("cannot exec: container is not running"));
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
        return CliExec.open(runner, command(args.interactiveExec(id, argv, env)), env.values());
    }

    @Override
    public RunningCommand openExec(String id, Exec exec) {
        return CliExec.open(runner, command(args.interactiveExec(id, exec)), exec.env().values());
    }

    @Override
    public boolean supportsTty() {
        return true;
    }

    @Override
    public RunningCommand followLogs(String id, int tail) {
        return CliExec.open(runner, command(args.followLogs(id, tail)), List.of());
    }

    /** Whether this CLI has {@code container copy}, the fallback for images without the tools the tar copies need. */
    public boolean copiesWithCli() {
        return AppleFeature.COPY.supportedBy(args.version());
    }

    /**
     * Copies a host file or directory in the way {@code podman cp} does: permission bits kept, into an existing
     * directory, onto a new path under its name, a missing parent directory an error, any characters in paths. A
     * tar stream through {@code container exec} does all of that; {@code container copy} does not (0644 for single
     * files, parents created, no ':'), so it is used only for an image without the tools the tar path needs
     * ({@code sh}, {@code tar}, {@code mktemp}, {@code dirname}, {@code mv}), where the CLI has it.
     */
    @Override
    public void copyTo(String id, Path source, String target, Duration timeout) {
        splitPath(target);
        Path name = source.getFileName();
        String entry = name == null ? "root" : name.toString();
        byte[] tar = TarStreams.pack(source, entry);
        CommandResult r = runStartingService(command(args.tarInto(id, target, entry)).stdin(tar).timeout(timeout)
                .build());
        if (r.exitCode() == 0) {
            return;
        }
        SandboxException tarFailure = AppleErrors.failure(r, "copying " + source + " into " + id + ":" + target
                + " (a tar stream through `container exec`)");
        if (!toolsMissing(r) || !copyCommandCan(source.toString(), target)) {
            throw tarFailure;
        }
        LOG.warn("the image of {} lacks sh/tar for copying ({}); using `container copy`, which writes a single file "
                + "with mode 0644 and creates missing parent directories", id, AppleErrors.message(r.stderr()));
        try {
            require(args.copyTo(id, source, target), timeout, "copying " + source + " into " + id + ":" + target);
        } catch (SandboxException e) {
            e.addSuppressed(tarFailure);
            throw e;
        }
    }

    /** The tar exec could not run for want of tools: our script's code, the shell's, or the CLI's own refusal. */
    static boolean toolsMissing(CommandResult r) {
        if (r.exitCode() == AppleContainerArgs.TOOLS_MISSING || r.exitCode() == 127) {
            return true;
        }
        return r.stderr().startsWith("Error: ") && AppleErrors.classify(r) == AppleErrorKind.OTHER;
    }

    /** Whether {@code container copy} exists here and can take these paths (it splits arguments at every ':'). */
    private boolean copyCommandCan(String hostPath, String containerPath) {
        return copiesWithCli() && hostPath.indexOf(':') < 0 && containerPath.indexOf(':') < 0;
    }

    /**
     * Copies out of the container in the way {@code podman cp} does (see {@link #copyTo}): a tar stream through
     * {@code container exec}; {@code container copy} (single files arrive as 0644) only when that exec fails for
     * want of {@code tar} in the image. A missing host parent directory is an error, as with podman.
     */
    @Override
    public void copyFrom(String id, String source, Path target, Duration timeout) {
        String[] split = splitPath(source);
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new SandboxConfigException("cannot copy " + id + ":" + source + " to " + target + ": the directory "
                    + parent + " does not exist (create it first)");
        }
        Path dest = Files.isDirectory(target) ? target.resolve(split[1]) : target;
        CommandResult r = runStartingService(command(args.tarOutOf(id, split[0], split[1])).timeout(timeout).build());
        if (r.exitCode() == 0) {
            TarStreams.unpack(new ByteArrayInputStream(r.stdoutBytes()), split[1], dest);
            return;
        }
        SandboxException tarFailure = AppleErrors.failure(r, "copying " + id + ":" + source + " to " + target
                + " (a tar stream through `container exec`)");
        if (!toolsMissing(r) || !copyCommandCan(target.toString(), source)) {
            throw tarFailure;
        }
        LOG.warn("the image of {} lacks tar for copying ({}); using `container copy`, which writes a single file "
                + "with mode 0644", id, AppleErrors.message(r.stderr()));
        try {
            require(args.copyFrom(id, source, target), timeout, "copying " + id + ":" + source + " to " + target);
        } catch (SandboxException e) {
            e.addSuppressed(tarFailure);
            throw e;
        }
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
        CommandResult r = runStartingService(command(args.stop(id, (int) Math.min(Integer.MAX_VALUE,
                grace.toSeconds()))).timeout(timeout).build());
        // 1.x stops idempotently; older runtimes answered "cannot stop: container is not running"
        if (r.exitCode() != 0 && AppleErrors.classify(r) != AppleErrorKind.NOT_RUNNING) {
            throw AppleErrors.failure(r, "stopping " + id);
        }
    }

    /** Sends a signal ({@code KILL}, {@code TERM}, ...) to the container's init process. */
    public void kill(String id, String signal, Duration timeout) {
        require(args.kill(id, signal), timeout, "sending " + signal + " to " + id);
    }

    /**
     * {@code container delete --force}. A container that is gone is not an error. One that is still stopping
     * cannot be deleted even with {@code --force} ({@code ContainersService.delete}): this waits and deletes again
     * until {@code timeout}. When the CLI's answer says nothing clear (0.x printed the reason on stdout, if at all),
     * the container's state decides. A name a start found taken by someone else's container is never deleted.
     */
    @Override
    public void remove(String id, Duration timeout) {
        if (foreign.contains(id)) {
            LOG.debug("not removing {}: that container was not created by this backend", id);
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50;
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()));
            CommandResult r = runStartingService(command(args.delete(id)).timeout(left).build());
            if (r.exitCode() == 0) {
                return;
            }
            AppleErrorKind kind = AppleErrors.classify(r.exitCode(), r.stderr() + "\n" + r.stdout());
            if (kind == AppleErrorKind.NOT_FOUND) {
                LOG.debug("container {} was already gone", id);
                return;
            }
            boolean settling = kind == AppleErrorKind.STOPPING || kind == AppleErrorKind.STILL_RUNNING;
            if (kind == AppleErrorKind.OTHER) {
                Optional<AppleContainer> now = inspect(id);
                if (now.isEmpty()) {
                    return;
                }
                settling = !now.get().state().equals("stopped");
            }
            if (!settling) {
                throw AppleErrors.failure(r, "removing container " + id);
            }
            if (System.nanoTime() + pause * 1_000_000L >= deadline) {
                throw new SandboxTimeoutException("container " + id + " was still stopping after " + timeout.toMillis()
                        + " ms and could not be deleted (" + AppleErrors.message(r.stderr()) + "): delete it later "
                        + "with `container delete --force " + id + "`", timeout);
            }
            LOG.debug("container {} is still stopping; deleting again in {} ms", id, pause);
            sleep(pause, "container " + id + " to stop");
            pause = Math.min(1000, pause * 2);
        }
    }

    private static void sleep(long millis, String waitingFor) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for " + waitingFor, e);
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
        return Rollback.onFailure(() -> {
            List<AppleNetwork> found = AppleContainerParser.networks(
                    require(args.networkInspect(name), timeout, "inspecting network " + name).stdout());
            if (found.isEmpty()) {
                throw new SandboxException("network " + name + " was created but `container network inspect` "
                        + "does not show it");
            }
            return found.get(0).toNetworkInfo();
        }, () -> removeNetwork(name, timeout));
    }

    /**
     * {@code container network delete}. A network that is gone is not an error. One that containers still refer to,
     * or with an operation pending, is transient right after its sandbox was removed: this waits and deletes again
     * until {@code timeout}. When the answer says nothing clear (the reason goes to the log), whether the network
     * still exists decides.
     */
    @Override
    public void removeNetwork(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50;
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()));
            CommandResult r = runStartingService(command(args.networkDelete(name)).timeout(left).build());
            if (r.exitCode() == 0) {
                return;
            }
            AppleErrorKind kind = AppleErrors.classify(r.exitCode(), r.stderr() + "\n" + r.stdout());
            if (kind == AppleErrorKind.NOT_FOUND) {
                LOG.debug("network {} was already gone", name);
                return;
            }
            if (kind == AppleErrorKind.OTHER) {
                CommandResult inspect = runStartingService(command(args.networkInspect(name)).timeout(SHORT).build());
                boolean gone = inspect.exitCode() != 0
                        ? AppleErrors.classify(inspect) == AppleErrorKind.NOT_FOUND
                        : AppleContainerParser.networks(inspect.stdout()).isEmpty();
                if (gone) {
                    return;
                }
            } else if (kind != AppleErrorKind.BUSY) {
                throw AppleErrors.failure(r, "removing network " + name);
            }
            if (System.nanoTime() + pause * 1_000_000L >= deadline) {
                throw new SandboxTimeoutException("network " + name + " could still not be deleted after "
                        + timeout.toMillis() + " ms (" + AppleErrors.message(r.stderr()) + "): delete it later with "
                        + "`container network delete " + name + "`", timeout);
            }
            LOG.debug("network {} is still in use; deleting again in {} ms", name, pause);
            sleep(pause, "network " + name + " to be free");
            pause = Math.min(1000, pause * 2);
        }
    }

    @Override
    public List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout) {
        return AppleContainerParser.networks(require(args.networkList(), timeout, "listing networks").stdout())
                .stream().filter(n -> n.hasLabels(labels)).map(AppleNetwork::toNetworkInfo).toList();
    }

    @Override
    public CommandRunner commandRunner() {
        return runner;
    }
}
