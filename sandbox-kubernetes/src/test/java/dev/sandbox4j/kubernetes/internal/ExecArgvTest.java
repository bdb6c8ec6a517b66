package dev.sandbox4j.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Exec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecArgvTest {

    @Test
    void aBareCommandIsPassedAsItIs() {
        assertThat(ExecArgv.wrap(List.of("ls", "-l"), Map.of(), "")).containsExactly("ls", "-l");
    }

    @Test
    void environmentAndWorkdirBecomeAShellAndEnvPrefix() {
        // given
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MODE", "test");
        env.put("EXTRA", "x y");

        // when
        List<String> argv = ExecArgv.wrap(List.of("make", "test"), env, "/work");

        // then
        assertThat(argv).containsExactly("/bin/sh", "-c", "cd \"$0\" || exit 125; exec \"$@\"", "/work",
                "env", "MODE=test", "EXTRA=x y", "make", "test");
    }

    @Test
    void theMarkerComesAfterTheExecsOwnEnvironmentSoItCannotBeOverridden() {
        // given
        Exec exec = Exec.builder("true").env("SANDBOX4J_EXEC", "forged").build();

        // when
        List<String> argv = ExecArgv.command(exec, Map.of(ExecArgv.EXEC_MARKER, "m1"), "");

        // then
        assertThat(argv).containsExactly("env", "SANDBOX4J_EXEC=m1", "true");
    }

    @Test
    void filesAreWrittenWithCatAfterMakingTheParentAndReadOnlyWhenRegular() {
        assertThat(ExecArgv.writeFile("/work/a b.txt")).containsExactly("/bin/sh", "-c",
                "mkdir -p \"$(dirname \"$0\")\" && cat > \"$0\"", "/work/a b.txt");
        assertThat(ExecArgv.readFile("/work/out.txt")).containsExactly("/bin/sh", "-c",
                "test -f \"$0\" || { echo \"$0: not a regular file\" >&2; exit 66; }; exec cat \"$0\"",
                "/work/out.txt");
    }

    @Test
    void theKillScriptTakesTheMarkerAsAnArgumentNotAsScriptText() {
        assertThat(ExecArgv.killMarked("m1")).containsExactly("/bin/sh", "-c",
                "for p in /proc/[0-9]*; do if tr '\\000' '\\n' < \"$p/environ\" 2>/dev/null"
                        + " | grep -qx \"SANDBOX4J_EXEC=$1\"; then kill -9 \"${p#/proc/}\" 2>/dev/null; fi; done; true",
                "sh", "m1");
    }
}
