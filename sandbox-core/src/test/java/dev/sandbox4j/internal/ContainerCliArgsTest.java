package dev.sandbox4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.Mount;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.SandboxConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The argument-list pieces both container CLIs share, with the per-runtime differences as parameters. */
class ContainerCliArgsTest {
    private static final String KEEP_ALIVE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done";

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void pairsKeepTheMapsOrderAndValuesWithSpacesAndEquals() {
        // given
        List<String> a = new ArrayList<>();

        // when
        ContainerCliArgs.pairs(a, "--env", ordered("B", "two words", "A", "x=y"));

        // then
        assertThat(a).containsExactly("--env", "B=two words", "--env", "A=x=y");
    }

    @Test
    void pairsGoThroughAFormatterThatMayRefuseOne() {
        // given
        List<String> a = new ArrayList<>();

        // when / then
        assertThatThrownBy(() -> ContainerCliArgs.pairs(a, "--label", ordered("k", "v=w"), (k, v) -> {
            throw new SandboxConfigException("no '=' in " + k);
        })).isInstanceOf(SandboxConfigException.class).hasMessage("no '=' in k");
    }

    @Test
    void volumesSpellReadWriteAsTheRuntimeDoes() {
        // given
        List<Mount> mounts = List.of(new Mount(Path.of("/host/work"), "/work", false),
                new Mount(Path.of("/host/src"), "/src", true));
        List<String> podman = new ArrayList<>();
        List<String> apple = new ArrayList<>();

        // when
        ContainerCliArgs.volumes(podman, mounts, ContainerCliArgs.ReadWrite.EXPLICIT);
        ContainerCliArgs.volumes(apple, mounts, ContainerCliArgs.ReadWrite.IMPLICIT);

        // then
        assertThat(podman).containsExactly("--volume", "/host/work:/work:rw", "--volume", "/host/src:/src:ro");
        assertThat(apple).containsExactly("--volume", "/host/work:/work", "--volume", "/host/src:/src:ro");
    }

    @Test
    void workdirUserAndPortsAppearOnlyWhenGiven() {
        // given
        List<String> none = new ArrayList<>();
        List<String> all = new ArrayList<>();

        // when
        ContainerCliArgs.workdirAndUser(none, Optional.empty(), Optional.empty());
        ContainerCliArgs.publish(none, List.of(), PortMapping::toString);
        ContainerCliArgs.workdirAndUser(all, Optional.of("/work"), Optional.of("1000:1000"));
        ContainerCliArgs.publish(all, List.of(PortMapping.parse("127.0.0.1:9000:80")), PortMapping::toString);

        // then
        assertThat(none).isEmpty();
        assertThat(all).containsExactly("--workdir", "/work", "--user", "1000:1000", "--publish",
                "127.0.0.1:9000:80/tcp");
    }

    @Test
    void noCommandMeansTheKeepAliveWithItsEntrypointBeforeTheImage() {
        // given
        List<String> keep = new ArrayList<>();
        List<String> given = new ArrayList<>();

        // when
        ContainerCliArgs.imageAndCommand(keep, "img", List.of());
        ContainerCliArgs.imageAndCommand(given, "img", List.of("sh", "-c", "echo hi"));

        // then
        assertThat(keep).containsExactly("--entrypoint", "/bin/sh", "img", "-c", KEEP_ALIVE_SCRIPT);
        assertThat(given).containsExactly("img", "sh", "-c", "echo hi");
    }

    @Test
    void execCarriesStdinTtyMarkerEnvWorkdirAndUserInThatOrder() {
        // given
        Exec exec = Exec.builder("cat").stdin("x").tty(true).env("A", "1").workdir("/w").user("u").build();

        // when
        List<String> argv = ContainerCliArgs.exec("cli", "c1", exec, "m1");

        // then
        assertThat(argv).containsExactly("cli", "exec", "--interactive", "--tty", "--env", "SANDBOX4J_EXEC=m1",
                "--env", "A=1", "--workdir", "/w", "--user", "u", "c1", "cat");
    }

    @Test
    void plainExecHasNeitherInteractiveNorTty() {
        // when
        List<String> argv = ContainerCliArgs.exec("cli", "c1", Exec.of("ls"), "m2");

        // then
        assertThat(argv).containsExactly("cli", "exec", "--env", "SANDBOX4J_EXEC=m2", "c1", "ls");
    }

    @Test
    void interactiveExecIsAlwaysInteractiveAndHasNoMarker() {
        // when
        List<String> argv = ContainerCliArgs.interactiveExec("cli", "c1", Exec.builder("sh").env("T", "dumb").build());

        // then
        assertThat(argv).containsExactly("cli", "exec", "--interactive", "--env", "T=dumb", "c1", "sh");
    }

    @Test
    void followLogsPutsTheRuntimesTailFlagBeforeTheIdOnlyWhenCounting() {
        assertThat(ContainerCliArgs.followLogs("cli", "c1", -1, "--tail")).containsExactly("cli", "logs", "--follow",
                "c1");
        assertThat(ContainerCliArgs.followLogs("cli", "c1", 3, "-n")).containsExactly("cli", "logs", "--follow", "-n",
                "3", "c1");
    }

    @Test
    void killMarkedKeepsTheMarkerOutOfTheScript() {
        // given
        String marker = "m'; reboot; '";

        // when
        List<String> argv = ContainerCliArgs.killMarked("cli", "c1", marker);

        // then
        assertThat(argv.subList(0, 5)).containsExactly("cli", "exec", "c1", "/bin/sh", "-c");
        assertThat(argv.get(5)).doesNotContain(marker).contains("SANDBOX4J_EXEC=$1");
        assertThat(argv.subList(6, 8)).containsExactly("sh", marker);
    }
}
