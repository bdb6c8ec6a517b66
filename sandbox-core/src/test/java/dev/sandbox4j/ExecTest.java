package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecTest {

    @Test
    void emptyArgumentListIsRejectedWithAnExample() {
        // when / then
        assertThatThrownBy(() -> Exec.of())
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("pass at least the program name, e.g. exec(\"ls\", \"-l\")");
    }

    @Test
    void argumentWithNulIsRejectedShowingWhere() {
        // given
        String[] argv = {"echo", "a\0b"};

        // when / then
        assertThatThrownBy(() -> Exec.of(argv))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("NUL byte")
                .hasMessageContaining("a\\0b");
    }

    @Test
    void zeroTimeoutIsRejected() {
        // given
        Exec.Builder builder = Exec.builder("true").timeout(Duration.ZERO);

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("exec timeout must be positive, got PT0S");
    }

    @Test
    void argumentsAreKeptVerbatimIncludingShellMetacharacters() {
        // given
        String[] argv = {"echo", "$HOME; rm -rf / `x` 'q'"};

        // when
        Exec exec = Exec.of(argv);

        // then
        assertThat(exec.command()).containsExactly("echo", "$HOME; rm -rf / `x` 'q'");
    }

    @Test
    void envKeepsTheOrderItWasGivenIn() {
        // given
        Exec.Builder builder = Exec.builder("env");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add("V" + (char) ('Z' - i));
            builder.env(names.get(i), Integer.toString(i));
        }

        // when
        Exec exec = builder.build();

        // then
        assertThat(exec.env().keySet()).containsExactlyElementsOf(names);
    }

    @Test
    void toBuilderGivesAnExecWithTheSameSettings() {
        // given
        Exec exec = Exec.builder("cat").env("A", "1").workdir("/w").user("nobody").stdin("hi")
                .timeout(Duration.ofSeconds(3)).maxOutputBytes(10).build();

        // when
        Exec again = exec.toBuilder().build();

        // then
        assertThat(again.command()).isEqualTo(exec.command());
        assertThat(again.env()).isEqualTo(exec.env());
        assertThat(again.workdir()).isEqualTo(exec.workdir());
        assertThat(again.user()).isEqualTo(exec.user());
        assertThat(again.stdin()).hasValueSatisfying(b -> assertThat(b).isEqualTo("hi".getBytes()));
        assertThat(again.timeout()).isEqualTo(exec.timeout());
        assertThat(again.maxOutputBytes()).isEqualTo(10);
    }

    @Test
    void ttyIsOffUnlessAskedForAndSurvivesToBuilder() {
        // given
        Exec plain = Exec.of("sh");
        Exec onTerminal = Exec.builder("sh").tty(true).build();

        // when
        Exec again = onTerminal.toBuilder().env("A", "1").build();

        // then
        assertThat(plain.tty()).isFalse();
        assertThat(again.tty()).isTrue();
    }
}
