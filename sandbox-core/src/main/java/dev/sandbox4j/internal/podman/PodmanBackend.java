package dev.sandbox4j.internal.podman;

import dev.sandbox4j.CommandFailedException;
import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.PullPolicy;
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
import dev.sandbox4j.spi.CreatedContainer;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Podman backend: argument lists from {@link PodmanArgs}, output read by {@link PodmanParser}. */
public final class PodmanBackend implements RuntimeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(PodmanBackend.class);
    private static final Duration SHORT = Duration.ofSeconds(30);

    private final CommandRunner runner;
    private final PodmanArgs args;
    private final String version;
    private final PodmanMode mode;

    public PodmanBackend(CommandRunner runner, String podman, String version) {
        this(runner, podman, version, PodmanMode.current());
    }

    public PodmanBackend(CommandRunner runner, String podman, String version, PodmanMode mode) {
        this.runner = runner;
        this.args = new PodmanArgs(podman);
        this.version = version;
        this.mode = mode;
    }

    @Override
    public String name() {
        return PodmanProvider.NAME;
    }

    public String version() {
        return version;
    }

    /** Rootless or rootful, and the host's cgroup version. */
    public PodmanMode mode() {
        return mode;
    }

    /** Refuses limits this Podman would silently ignore: a sandbox never runs with less isolation than asked. */
    @Override
    public void validate(SandboxSpec spec) {
        if (!mode.enforcesLimits() && (spec.cpus() > 0 || spec.memory().isPresent())) {
            throw new SandboxConfigException("cpus() and memory() cannot be enforced here: rootless Podman on a "
                    + "cgroup v1 host ignores resource limits. Boot the host with cgroup v2 "
                    + "(systemd.unified_cgroup_hierarchy=1) and delegate the cpu and memory controllers to this "
                    + "user, run the JVM as root (rootful Podman), or leave cpus() and memory() unset");
        }
    }

    @Override
    public String prepareImage(SandboxSpec spec, Duration timeout) {
        if (spec.image() instanceof ImageSource.Reference ref) {
            if (spec.pullPolicy() != PullPolicy.NEVER) {
                pullWithProgress(ref.reference(), spec.pullPolicy(), timeout);
            }
            return ref.reference();  // presence is checked by `run --pull=never` itself: no extra CLI call
        }
        ImageSource.Build build = (ImageSource.Build) spec.image();
        String tag = ImageBuilds.tag(build);
        LOG.info("building image {} from {}", tag, build.dockerfile());
        Map<String, String> labels = new java.util.LinkedHashMap<>(spec.labels());
        labels.put(Ownership.MANAGED, "true");  // and the spec's labels, so whoever built it can find it again
        List<String> argv = args.build(build, tag, labels, spec.pullPolicy());
        CommandResult r = runner.run(ImageBuilds.withProgress(Command.builder(argv).timeout(timeout)).build());
        if (r.exitCode() != 0) {
            throw new SandboxStartException("building " + build + " failed (podman build exit " + r.exitCode()
                    + "): " + tail(r.stderr()));
        }
        return tag;
    }

    /**
     * Pulls an image the policy asks for (MISSING: only when it is not in local storage), with podman's progress
     * lines on the {@code dev.sandbox4j.build} logger as they come, so a slow pull shows what it does.
     */
    private void pullWithProgress(String reference, PullPolicy policy, Duration timeout) {
        if (policy == PullPolicy.MISSING
                && runner.run(Command.of(args.imageExists(reference), Duration.ofSeconds(30))).exitCode() == 0) {
            return;
        }
        LOG.info("pulling image {}", reference);
        CommandResult r = runner.run(ImageBuilds.withProgress(Command.builder(args.pull(reference)).timeout(timeout))
                .build());
        if (r.exitCode() != 0) {
            throw new SandboxConfigException("image " + reference + " could not be pulled (podman pull exit "
                    + r.exitCode() + "): " + lastLine(r.stderr()) + ". Check the name and the registry, or build it "
                    + "locally and use pullPolicy(PullPolicy.NEVER)");
        }
    }

    private static String lastLine(String s) {
        List<String> lines = s.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Override
    public ContainerInfo start(LaunchRequest request, Duration timeout) {
        String id = launch(args.run(request), request, timeout);
        return started(id, request);
    }

    /**
     * {@code podman create}, {@code podman init} (namespaces and network exist, workload not started), the
     * container's pid and network namespace to {@code beforeStart}, then {@code podman start}.
     */
    @Override
    public ContainerInfo start(LaunchRequest request, Duration timeout, Consumer<CreatedContainer> beforeStart) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = launch(args.create(request), request, timeout);
        stepWithin(args.init(id), request, deadline, timeout);
        CreatedContainer created = PodmanParser.namespaces(id, request.name(),
                stepWithin(args.namespaces(id), request, deadline, timeout).stdout());
        beforeStart.accept(created);
        stepWithin(args.start(id), request, deadline, timeout);
        return started(id, request);
    }

    @Override
    public boolean supportsBeforeStart() {
        return true;
    }

    /** Podman runs rootless exactly when its user is not root: read from the process, no CLI call. */
    @Override
    public boolean rootless() {
        return mode.rootless();
    }

    @Override
    public List<String> enterNetworkNamespace(CreatedContainer container) {
        return args.enterNetworkNamespace(container.networkNamespace(), rootless());
    }

    private String launch(List<String> argv, LaunchRequest request, Duration timeout) {
        Command.Builder cmd = Command.builder(argv).timeout(timeout);
        request.spec().env().values().forEach(cmd::redact);
        CommandResult r;
        try {
            r = runner.run(cmd.build());
        } catch (SandboxTimeoutException e) {
            throw startTimeout(request, timeout);
        }
        if (r.exitCode() != 0) {
            throw startFailure(request, r);
        }
        return r.stdout().strip();
    }

    private CommandResult stepWithin(List<String> argv, LaunchRequest request, long deadline, Duration timeout) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw startTimeout(request, timeout);
        }
        CommandResult r;
        try {
            r = runner.run(Command.of(argv, Duration.ofNanos(left)));
        } catch (SandboxTimeoutException e) {
            throw startTimeout(request, timeout);
        }
        if (r.exitCode() != 0) {
            throw startFailure(request, r);
        }
        return r;
    }

    private static SandboxTimeoutException startTimeout(LaunchRequest request, Duration timeout) {
        return new SandboxTimeoutException("sandbox " + request.name() + " did not start within "
                + timeout.toMillis() + " ms: raise startupTimeout(...) or check `podman ps -a`", timeout);
    }

    private ContainerInfo started(String id, LaunchRequest request) {
        if (request.spec().ports().isEmpty()) {
            return new ContainerInfo(id, request.name(), Map.of(), request.labels(), true);
        }
        return inspect(id);
    }

    private static SandboxException startFailure(LaunchRequest request, CommandResult r) {
        String err = r.stderr().strip();
        if (err.contains("image not known") || err.contains("manifest unknown")
                || err.contains("initializing source")) {
            return new SandboxConfigException("image " + request.image() + " is not available locally: build it "
                    + "(`podman build -t " + request.image() + " DIR`), pull it (`podman pull " + request.image()
                    + "`), or allow pulling with pullPolicy(PullPolicy.MISSING)");
        }
        if (err.contains("address already in use")) {
            return new SandboxConfigException("a published host port is already in use: " + err);
        }
        return new SandboxStartException("podman could not start sandbox " + request.name() + " (exit "
                + r.exitCode() + "): " + tail(err),
                new CommandFailedException(r.argv(), r.exitCode(), r.stderr()));
    }

    public ContainerInfo inspect(String id) {
        return PodmanParser.inspect(run(args.inspect(id), SHORT).stdout());
    }

    @Override
    public ExecResult exec(String id, Exec exec, ExecListener listener) {
        String marker = UUID.randomUUID().toString();
        CommandResult r = CliExec.run(runner, Command.builder(args.exec(id, exec, marker)), exec, listener,
                () -> killMarked(id, marker));
        if (r.exitCode() == 125 && r.stderr().startsWith("Error: ")) {
            throw new CommandFailedException("podman could not exec in " + id + ": " + r.stderr().strip(),
                    r.argv(), r.exitCode(), r.stderr());
        }
        return new ExecResult(exec.command(), r.exitCode(), r.stdoutBytes(), r.stderrBytes(), r.elapsed(),
                r.droppedBytes());
    }

    private void killMarked(String id, String marker) {
        try {
            runner.run(Command.of(args.killMarked(id, marker), SHORT));
        } catch (RuntimeException e) {
            LOG.warn("could not kill the processes of a timed-out exec in {}", id, e);
        }
    }

    @Override
    public RunningCommand openExec(String id, List<String> argv, Map<String, String> env) {
        return CliExec.open(runner, Command.builder(args.interactiveExec(id, argv, env)), env.values());
    }

    @Override
    public RunningCommand openExec(String id, String user, List<String> argv, Map<String, String> env) {
        return CliExec.open(runner, Command.builder(args.interactiveExec(id, user, argv, env)), env.values());
    }

    @Override
    public RunningCommand openExec(String id, Exec exec) {
        return CliExec.open(runner, Command.builder(args.interactiveExec(id, exec)), exec.env().values());
    }

    @Override
    public boolean supportsTty() {
        return true;
    }

    @Override
    public RunningCommand followLogs(String id, int tail) {
        return CliExec.open(runner, Command.builder(args.followLogs(id, tail)), List.of());
    }

    @Override
    public void copyTo(String id, Path source, String target, Duration timeout) {
        run(args.copyTo(id, source, target), timeout);
    }

    @Override
    public void copyFrom(String id, String source, Path target, Duration timeout) {
        run(args.copyFrom(id, source, target), timeout);
    }

    @Override
    public String logs(String id, Duration timeout) {
        CommandResult r = run(args.logs(id), timeout);
        return r.stdout() + r.stderr();
    }

    @Override
    public void remove(String id, Duration timeout) {
        run(args.remove(id), timeout);
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels, Duration timeout) {
        return PodmanParser.list(run(args.list(labels), timeout).stdout());
    }

    @Override
    public NetworkInfo createNetwork(String name, Map<String, String> labels, Duration timeout) {
        run(args.networkCreate(name, labels), timeout);
        return Rollback.onFailure(() -> PodmanParser.networks(run(args.networkInspect(name), timeout).stdout()).get(0),
                () -> removeNetwork(name, timeout));
    }

    @Override
    public void removeNetwork(String name, Duration timeout) {
        CommandResult r = runner.run(Command.of(args.networkRemove(name), timeout));
        if (r.exitCode() != 0 && !r.stderr().contains("network not found")) {
            throw new CommandFailedException(r.argv(), r.exitCode(), r.stderr());
        }
    }

    @Override
    public List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout) {
        return PodmanParser.networks(run(args.networkList(labels), timeout).stdout());
    }

    private CommandResult run(List<String> argv, Duration timeout) {
        return runner.run(Command.of(argv, timeout)).requireSuccess();
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 2000 ? "..." + t.substring(t.length() - 2000) : t;
    }

    @Override
    public CommandRunner commandRunner() {
        return runner;
    }
}
