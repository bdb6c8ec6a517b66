package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.egress.EgressLog;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@link SandboxFiles} resolves paths before anything reaches a sandbox: pure, no runtime. */
class SandboxFilesPathTest {
    private final SandboxFiles files = SandboxFiles.of(new SpecOnly("/work"));

    @Test
    void relativePathsResolveAgainstTheWorkdirAndDotsAreFolded() {
        assertThat(files.resolve("a.txt")).isEqualTo("/work/a.txt");
        assertThat(files.resolve("./x/../y//z.txt")).isEqualTo("/work/y/z.txt");
        assertThat(files.resolve("/etc/../tmp/./f")).isEqualTo("/tmp/f");
        assertThat(files.resolve("..")).isEqualTo("/");
    }

    @Test
    void aConfinedViewResolvesAgainstItsRootAndRefusesToLeaveIt() {
        SandboxFiles jail = files.under("project");

        assertThat(jail.root()).isEqualTo("/work/project");
        assertThat(jail.resolve("src/Main.java")).isEqualTo("/work/project/src/Main.java");
        assertThat(jail.resolve("/work/project")).isEqualTo("/work/project");
        assertThatThrownBy(() -> jail.resolve("../secret")).isInstanceOf(SandboxPathNotAllowedException.class)
                .hasMessageContaining("/work/project").hasMessageContaining("/work/secret");
        assertThatThrownBy(() -> jail.resolve("/work/projectile")).isInstanceOf(SandboxPathNotAllowedException.class);
        assertThatThrownBy(() -> jail.resolve("/etc/passwd")).isInstanceOf(SandboxPathNotAllowedException.class);
    }

    @Test
    void emptyPathsAndNulBytesAreConfigErrors() {
        assertThatThrownBy(() -> files.resolve("")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> files.resolve("a\0b")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> files.under("/").resolve("/../..")).isInstanceOf(SandboxPathNotAllowedException.class);
    }

    @Test
    void theRootOfAConfinedViewCannotBeWrittenOrDeleted() {
        SandboxFiles jail = files.under("/work");

        assertThatThrownBy(() -> jail.delete("/work")).isInstanceOf(SandboxPathNotAllowedException.class);
        assertThatThrownBy(() -> jail.write(".", "x")).isInstanceOf(SandboxPathNotAllowedException.class);
    }

    /** A sandbox that only has a spec: any other call fails the test. */
    private record SpecOnly(String workdir) implements Sandbox {
        @Override
        public String id() {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public String name() {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public SandboxSpec spec() {
            return Sandbox.builder().image("localhost/x:latest").workdir(workdir).build();
        }

        @Override
        public String runtimeName() {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public ExecResult exec(Exec exec, ExecListener listener) {
            throw new AssertionError("no exec expected: " + exec);
        }

        @Override
        public BackgroundProcess start(Exec exec, ExecListener listener) {
            throw new AssertionError("no start expected");
        }

        @Override
        public int hostPort(int containerPort) {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public Map<Integer, Integer> hostPorts() {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public void copyTo(Path source, String target) {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public void copyFrom(String source, Path target) {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public String logs() {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public LogStream followLogs(ExecListener listener) {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public EgressLog egressLog() {
            throw new AssertionError("no sandbox call expected");
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
