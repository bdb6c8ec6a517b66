package dev.sandbox4j.egress.internal.macos;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A runtime backend named like the Apple one that only records image builds: the egress session's one call into
 * the backend before the container exists. Anything else fails the test.
 */
final class FakeAppleBackend implements RuntimeBackend {
    final List<SandboxSpec> builds = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return MacEgressProvider.RUNTIME;
    }

    /** Images in the fake store; a build adds one, a check of a missing one fails as the real backend does. */
    final java.util.Set<String> store = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public String prepareImage(SandboxSpec spec, Duration timeout) {
        if (spec.image() instanceof dev.sandbox4j.ImageSource.Reference ref) {
            if (!store.contains(ref.reference())) {
                throw new dev.sandbox4j.SandboxConfigException("image " + ref.reference() + " is not available locally");
            }
            return ref.reference();
        }
        builds.add(spec);
        String tag = "localhost/sandbox4j-build/egress-init-" + builds.size() + ":latest";
        store.add(tag);
        return tag;
    }

    private static AssertionError unexpected() {
        return new AssertionError("the egress session must not call this before the container exists");
    }

    @Override
    public ContainerInfo start(LaunchRequest request, Duration timeout) {
        throw unexpected();
    }

    @Override
    public ExecResult exec(String id, Exec exec, ExecListener listener) {
        throw unexpected();
    }

    @Override
    public RunningCommand openExec(String id, List<String> argv, Map<String, String> env) {
        throw unexpected();
    }

    @Override
    public void copyTo(String id, Path source, String target, Duration timeout) {
        throw unexpected();
    }

    @Override
    public void copyFrom(String id, String source, Path target, Duration timeout) {
        throw unexpected();
    }

    @Override
    public String logs(String id, Duration timeout) {
        throw unexpected();
    }

    @Override
    public void remove(String id, Duration timeout) {
        throw unexpected();
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels, Duration timeout) {
        throw unexpected();
    }

    @Override
    public NetworkInfo createNetwork(String name, Map<String, String> labels, Duration timeout) {
        throw unexpected();
    }

    @Override
    public void removeNetwork(String name, Duration timeout) {
        throw unexpected();
    }

    @Override
    public List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout) {
        throw unexpected();
    }
}
