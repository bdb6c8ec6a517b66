package dev.sandbox4j.kubernetes.internal;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.SandboxTimeoutException;
import dev.sandbox4j.kubernetes.KubernetesOptions;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.NamespaceRules;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sandboxes as pods through the Kubernetes API (fabric8 client). A sandbox's id is its pod's name. Egress of a
 * policed sandbox is enforced inside the pod (see {@link PodManifest}); pods have no per-sandbox network to create.
 */
public final class KubernetesBackend implements RuntimeBackend {
    /** Label that scopes listing (and so orphan reaping) to the pods this host made. */
    public static final String HOST_LABEL = "dev.sandbox4j.host";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesBackend.class);

    private final KubernetesClient client;
    private final KubernetesOptions options;
    private final NamespaceRules rules;
    private final String host;
    private final Map<String, List<LocalPortForward>> forwards = new ConcurrentHashMap<>();
    private final java.util.function.Supplier<String> markers;

    /**
     * @param host this machine's name as a label value; pods get it as {@value #HOST_LABEL} and {@link #list} shows
     *             only pods with it, so a host never takes another host's live sandboxes for its own orphans
     */
    public KubernetesBackend(KubernetesClient client, KubernetesOptions options, NamespaceRules rules, String host) {
        this(client, options, rules, host,
                () -> Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
    }

    /** As above, with the source of exec markers given (tests use a fixed one to know the exact command). */
    KubernetesBackend(KubernetesClient client, KubernetesOptions options, NamespaceRules rules, String host,
                      java.util.function.Supplier<String> markers) {
        this.client = client;
        this.options = options;
        this.rules = rules;
        this.host = host;
        this.markers = markers;
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    public KubernetesOptions options() {
        return options;
    }

    @Override
    public void validate(SandboxSpec spec) {
        PodManifest.imageReference(spec);
        PodManifest.checkSpec(spec);
    }

    @Override
    public String prepareImage(SandboxSpec spec, Duration timeout) {
        return PodManifest.imageReference(spec);
    }

    /** The pod this backend would create for {@code request}. */
    public Pod pod(LaunchRequest request) {
        Map<String, String> labels = new LinkedHashMap<>(request.labels());
        labels.put(HOST_LABEL, host);
        LaunchRequest labelled = new LaunchRequest(request.spec(), request.image(), request.name(), labels,
                request.network(), request.dns(), request.capDrop());
        SandboxSpec spec = request.spec();
        Optional<String> text = spec.egress().allowsEverything() ? Optional.empty()
                : Optional.of(rules.ruleset(spec.egress(), PodManifest.INTERCEPTOR_PORT));
        return PodManifest.pod(labelled, options, text);
    }

    /** The exit code of the pod's init container, when it has terminated. */
    public Optional<Integer> initExitCode(String name) {
        Pod pod;
        try {
            pod = client.pods().inNamespace(options.namespace()).withName(name).get();
        } catch (KubernetesClientException e) {
            throw apiError("read pod " + name, e);
        }
        return PodStates.initExitCode(pod);
    }

    @Override
    public ContainerInfo start(LaunchRequest request, Duration timeout) {
        Pod pod = pod(request);
        String name = request.name();
        long t0 = System.nanoTime();
        try {
            client.pods().inNamespace(options.namespace()).resource(pod).create();
            LOG.debug("created pod {}/{} ({} init, {} containers) in {} ms", options.namespace(), name,
                    pod.getSpec().getInitContainers().size(), pod.getSpec().getContainers().size(),
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (KubernetesClientException e) {
            throw startError("could not create pod " + name + " in namespace " + options.namespace(), e);
        }
        try {
            Pod running = awaitRunning(name, timeout);
            LOG.debug("pod {}/{} runs its workload after {} ms", options.namespace(), name,
                    (System.nanoTime() - t0) / 1_000_000);
            Map<Integer, Integer> hostPorts = forwardPorts(name, request.spec().ports());
            return info(running, hostPorts);
        } catch (RuntimeException e) {
            try {
                remove(name, Duration.ofSeconds(30));
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Pod awaitRunning(String name, Duration timeout) {
        PodResource resource = client.pods().inNamespace(options.namespace()).withName(name);
        Pod pod;
        try {
            pod = resource.waitUntilCondition(p -> p == null || PodStates.settled(p), timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (KubernetesClientTimeoutException e) {
            Pod last = resource.get();
            throw new SandboxTimeoutException("pod " + name + " was not running after " + timeout + ": "
                    + (last == null ? "it is gone" : PodStates.describe(last)), timeout);
        } catch (KubernetesClientException e) {
            throw startError("could not watch pod " + name, e);
        }
        if (pod == null) {
            throw new SandboxStartException("pod " + name + " was deleted while it started");
        }
        Optional<String> failure = PodStates.failure(pod);
        if (failure.isPresent()) {
            throw new SandboxStartException("pod " + name + " did not start: " + failure.get());
        }
        return pod;
    }

    private Map<Integer, Integer> forwardPorts(String name, List<PortMapping> ports) {
        Map<Integer, Integer> hostPorts = new LinkedHashMap<>();
        List<LocalPortForward> opened = new ArrayList<>();
        for (PortMapping p : ports) {
            if (!p.protocol().equals("tcp")) {
                throw new SandboxConfigException("the kubernetes runtime forwards TCP ports only, not " + p);
            }
            InetAddress bind;
            try {
                bind = InetAddress.getByName(p.hostIp());
            } catch (UnknownHostException e) {
                throw new SandboxConfigException("published port " + p + ": host address " + p.hostIp()
                        + " is not an IP address");
            }
            LocalPortForward f;
            try {
                f = client.pods().inNamespace(options.namespace()).withName(name)
                        .portForward(p.containerPort(), bind, p.hostPort());
            } catch (KubernetesClientException e) {
                opened.forEach(KubernetesBackend::closeQuietly);
                throw startError("could not forward port " + p, e);
            }
            opened.add(f);
            hostPorts.put(p.containerPort(), f.getLocalPort());
        }
        if (!opened.isEmpty()) {
            forwards.put(name, opened);
        }
        return hostPorts;
    }

    /** Labels as the runtime reports them: the pod's labels plus Sandbox4j's own labels kept as annotations. */
    private static ContainerInfo info(Pod pod, Map<Integer, Integer> hostPorts) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (pod.getMetadata().getAnnotations() != null) {
            pod.getMetadata().getAnnotations().forEach((k, v) -> {
                if (k.startsWith(SandboxSpec.LABEL_PREFIX + ".")) {
                    labels.put(k, v);
                }
            });
        }
        if (pod.getMetadata().getLabels() != null) {
            labels.putAll(pod.getMetadata().getLabels());
        }
        return new ContainerInfo(pod.getMetadata().getName(), pod.getMetadata().getName(), hostPorts, labels,
                PodStates.workloadRunning(pod));
    }

    @Override
    public ExecResult exec(String id, Exec exec, ExecListener listener) {
        String marker = markers.get();
        List<String> argv = ExecArgv.command(exec, Map.of(ExecArgv.EXEC_MARKER, marker), "");
        LineForwarder out = new LineForwarder(listener::onStdout, exec.maxOutputBytes());
        LineForwarder err = new LineForwarder(listener::onStderr, exec.maxOutputBytes());
        long t0 = System.nanoTime();
        Integer code;
        ExecWatch watch;
        try {
            var pod = client.pods().inNamespace(options.namespace()).withName(id).inContainer(PodManifest.WORKLOAD);
            if (exec.stdin().isPresent()) {
                watch = pod.redirectingInput().writingOutput(out).writingError(err).exec(argv.toArray(String[]::new));
            } else {
                watch = pod.writingOutput(out).writingError(err).exec(argv.toArray(String[]::new));
            }
        } catch (KubernetesClientException e) {
            throw apiError("exec in pod " + id, e);
        }
        try (watch) {
            if (exec.stdin().isPresent()) {
                try (OutputStream in = watch.getInput()) {
                    in.write(exec.stdin().get());
                }
            }
            code = watch.exitCode().get(exec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            out.close();
            err.close();
            killMarked(id, marker);
            throw new SandboxTimeoutException("exec " + exec.command() + " in pod " + id + " ran longer than "
                    + exec.timeout(), exec.timeout(), new String(out.bytes(), java.nio.charset.StandardCharsets.UTF_8),
                    new String(err.bytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while exec " + exec.command() + " ran in pod " + id, e);
        } catch (ExecutionException e) {
            throw new SandboxException("exec " + exec.command() + " in pod " + id + " failed: " + e.getCause(),
                    e.getCause());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.close();
        err.close();
        LOG.debug("exec in pod {}: {} (environment not shown) exited {} in {} ms", id, exec.command(), code,
                (System.nanoTime() - t0) / 1_000_000);
        if (code == null) {
            throw new SandboxException("exec " + exec.command() + " in pod " + id + " ended without an exit status"
                    + " (the connection to the kubelet was lost, or the pod stopped)");
        }
        return new ExecResult(exec.command(), code, out.bytes(), err.bytes(), Duration.ofNanos(System.nanoTime() - t0),
                out.dropped() + err.dropped());
    }

    /** Kills the processes of a timed-out exec inside the pod; trouble doing so is logged, not thrown. */
    private void killMarked(String id, String marker) {
        try (ExecWatch kill = client.pods().inNamespace(options.namespace()).withName(id)
                .inContainer(PodManifest.WORKLOAD).exec(ExecArgv.killMarked(marker).toArray(String[]::new))) {
            kill.exitCode().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | KubernetesClientException e) {
            LOG.warn("could not kill the processes of a timed-out exec in pod {}", id, e);
        }
    }

    @Override
    public RunningCommand openExec(String id, List<String> argv, Map<String, String> env) {
        List<String> command = ExecArgv.wrap(argv, env, "");
        ExecWatch watch;
        try {
            watch = client.pods().inNamespace(options.namespace()).withName(id).inContainer(PodManifest.WORKLOAD)
                    .redirectingInput().redirectingOutput().redirectingError().exec(command.toArray(String[]::new));
        } catch (KubernetesClientException e) {
            throw apiError("exec in pod " + id, e);
        }
        return new WatchCommand(watch);
    }

    /** An exec whose streams the caller owns; it has no local process, so {@link #pid()} is -1. */
    private static final class WatchCommand implements RunningCommand {
        private final ExecWatch watch;

        WatchCommand(ExecWatch watch) {
            this.watch = watch;
        }

        @Override
        public OutputStream stdin() {
            return watch.getInput();
        }

        @Override
        public InputStream stdout() {
            return watch.getOutput();
        }

        @Override
        public InputStream stderr() {
            return watch.getError();
        }

        @Override
        public boolean isAlive() {
            return !watch.exitCode().isDone();
        }

        @Override
        public OptionalInt waitFor(Duration timeout) throws InterruptedException {
            try {
                Integer code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return OptionalInt.of(code == null ? -1 : code);
            } catch (TimeoutException e) {
                return OptionalInt.empty();
            } catch (ExecutionException e) {
                return OptionalInt.of(-1);
            }
        }

        @Override
        public long pid() {
            return -1;
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    @Override
    public void copyTo(String id, Path source, String target, Duration timeout) {
        if (!Files.isRegularFile(source)) {
            throw new SandboxConfigException("the kubernetes runtime copies regular files only; " + source
                    + " is not one: copy the files of a directory one by one");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
        ExecResult r = exec(id, Exec.builder().command(ExecArgv.writeFile(target)).stdin(bytes).timeout(timeout)
                .build(), ExecListener.NONE);
        if (r.exitCode() != 0) {
            throw new SandboxException("could not write " + target + " in pod " + id + ": " + r.stderr().strip());
        }
    }

    @Override
    public void copyFrom(String id, String source, Path target, Duration timeout) {
        ExecResult r = exec(id, Exec.builder().command(ExecArgv.readFile(source)).timeout(timeout).build(),
                ExecListener.NONE);
        if (r.exitCode() != 0) {
            throw new SandboxException("could not read " + source + " in pod " + id + ": " + r.stderr().strip());
        }
        try {
            Path file = Files.isDirectory(target) ? target.resolve(Path.of(source).getFileName()) : target;
            Files.write(file, r.stdoutBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    @Override
    public String logs(String id, Duration timeout) {
        try {
            return client.pods().inNamespace(options.namespace()).withName(id).inContainer(PodManifest.WORKLOAD)
                    .getLog();
        } catch (KubernetesClientException e) {
            throw apiError("logs of pod " + id, e);
        }
    }

    /**
     * Follows the log of the enforcer sidecar of pod {@code id} from its start, handing each audit event of
     * {@code sandbox} to {@code events} once, in the log's order, as it arrives; reconnects when the log stream is
     * cut (see {@link EnforcerLogFollower}), until the returned handle is closed, the pod is gone or the enforcer
     * has ended.
     */
    public AutoCloseable followEnforcerLog(String id, String sandbox,
                                           java.util.function.Consumer<dev.sandbox4j.egress.EgressEvent> events) {
        return new EnforcerLogFollower(client, options.namespace(), id, sandbox, events).start();
    }

    private static void closeQuietly(LocalPortForward f) {
        try {
            f.close();
        } catch (IOException e) {
            LOG.warn("could not close the port forward to local port {}", f.getLocalPort(), e);
        }
    }

    @Override
    public void remove(String id, Duration timeout) {
        List<LocalPortForward> open = forwards.remove(id);
        if (open != null) {
            open.forEach(KubernetesBackend::closeQuietly);
        }
        try {
            client.pods().inNamespace(options.namespace()).withName(id).withGracePeriod(0).delete();
            LOG.debug("deleted pod {}/{}", options.namespace(), id);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw apiError("delete pod " + id, e);
            }
        }
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels, Duration timeout) {
        Map<String, String> selector = new LinkedHashMap<>(labels);
        selector.put(HOST_LABEL, host);
        try {
            List<ContainerInfo> found = new ArrayList<>();
            for (Pod p : client.pods().inNamespace(options.namespace()).withLabels(selector).list().getItems()) {
                found.add(info(p, Map.of()));
            }
            return found;
        } catch (KubernetesClientException e) {
            throw apiError("list pods in namespace " + options.namespace(), e);
        }
    }

    @Override
    public NetworkInfo createNetwork(String name, Map<String, String> labels, Duration timeout) {
        throw new SandboxConfigException("the kubernetes runtime gives every sandbox its own pod network namespace and"
                + " creates no networks");
    }

    @Override
    public void removeNetwork(String name, Duration timeout) {
        // Pods have no network of their own to remove.
    }

    @Override
    public List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout) {
        return List.of();
    }

    private static SandboxException startError(String what, KubernetesClientException e) {
        return new SandboxStartException(what + ": " + KubeErrors.explain(e), e);
    }

    private static SandboxException apiError(String what, KubernetesClientException e) {
        return new SandboxException(what + ": " + KubeErrors.explain(e), e);
    }
}
