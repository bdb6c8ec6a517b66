package dev.sandbox4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecListener;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.internal.podman.PodmanBackend;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.spi.RuntimeBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A terminal is refused, with the fix, by a runtime that cannot give one; never silently dropped. */
class TtySupportTest {
    /** A runtime whose exec cannot give a terminal (as the exec API of some runtimes cannot); nothing may run. */
    private static final class NoTerminalBackend implements RuntimeBackend {
        @Override
        public String name() {
            return "no-terminal";
        }

        @Override
        public String prepareImage(SandboxSpec spec, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public ContainerInfo start(LaunchRequest request, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public ExecResult exec(String id, Exec exec, ExecListener listener) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public RunningCommand openExec(String id, List<String> argv, Map<String, String> env) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public void copyTo(String id, Path source, String target, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public void copyFrom(String id, String source, Path target, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public String logs(String id, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public void remove(String id, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public List<ContainerInfo> list(Map<String, String> labels, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public NetworkInfo createNetwork(String name, Map<String, String> labels, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public void removeNetwork(String name, Duration timeout) {
            throw new AssertionError("nothing may run");
        }

        @Override
        public List<NetworkInfo> listNetworks(Map<String, String> labels, Duration timeout) {
            throw new AssertionError("nothing may run");
        }
    }

    private final RuntimeBackend noTerminal = new NoTerminalBackend();
    private final Exec onTerminal = Exec.builder("sh").tty(true).build();

    @Test
    void execWithTtyOnARuntimeWithoutTerminalsIsRefusedWithTheFix() {
        // when / then
        assertThatThrownBy(() -> DefaultSandbox.requireTtySupport(noTerminal, onTerminal))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessage("the no-terminal runtime cannot run a command on a terminal (tty): leave tty unset");
    }

    @Test
    void execWithoutTtyGoesAheadOnThatRuntime() {
        // when / then
        assertThatCode(() -> DefaultSandbox.requireTtySupport(noTerminal, Exec.of("sh"))).doesNotThrowAnyException();
    }

    @Test
    void interactiveExecWithTtyIsRefusedByTheSpiDefault() {
        // when / then
        assertThatThrownBy(() -> noTerminal.openExec("c1", onTerminal)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("leave tty unset");
    }

    @Test
    void followingLogsIsRefusedByTheSpiDefault() {
        // when / then
        assertThatThrownBy(() -> noTerminal.followLogs("c1", -1)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("read them with logs() instead");
    }

    @Test
    void podmanGivesTerminals() {
        // given
        RuntimeBackend podman = new PodmanBackend(CommandRunner.system(), "podman", "4.3.1");

        // when / then
        assertThat(podman.supportsTty()).isTrue();
        assertThatCode(() -> DefaultSandbox.requireTtySupport(podman, onTerminal)).doesNotThrowAnyException();
    }
}
