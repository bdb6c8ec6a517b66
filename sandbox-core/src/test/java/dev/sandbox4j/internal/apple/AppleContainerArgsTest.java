package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.LaunchRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppleContainerArgsTest {
    private static final String CLI = "/usr/local/bin/container";
    private static final AppleCliVersion V122 = AppleCliVersion.parse("1.2.2");
    private static final AppleContainerArgs ARGS = new AppleContainerArgs(CLI, V122);
    private static final String IMAGE = "docker.io/library/alpine:3.20";

    @TempDir
    Path tmp;

    private static LaunchRequest request(SandboxSpec spec) {
        return new LaunchRequest(spec, IMAGE, "sb4j-0123456789ab", Map.of(), Optional.empty(), List.of(), List.of());
    }

    private static SandboxSpec.Builder spec() {
        return Sandbox.builder().image(IMAGE);
    }

    private static List<String> keepAlive(List<String> head) {
        List<String> a = new ArrayList<>(head);
        a.addAll(List.of("--entrypoint", "/bin/sh", IMAGE, "-c",
                "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done"));
        return a;
    }

    @Test
    void minimalRunIsDetachedNamedQuietAndKeptAlive() {
        // given
        LaunchRequest request = request(spec().build());

        // when
        List<String> argv = ARGS.run(request, List.of(), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).isEqualTo(keepAlive(List.of(CLI, "run", "--detach", "--name", "sb4j-0123456789ab",
                "--progress", "none")));
    }

    @Test
    void runCarriesEverySpecSettingWithTheCliSpelling() throws IOException {
        // given
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path src = Files.createDirectories(tmp.resolve("src"));
        SandboxSpec spec = spec().command("sleep", "infinity").cpus(2).memory("512m").env("FOO", "bar")
                .workdir("/work").user("1000:1000").mount(work, "/work").mountReadOnly(src, "/src").build();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "agents");
        labels.put("dev.sandbox4j.managed", "true");
        LaunchRequest request = new LaunchRequest(spec, IMAGE, "sb4j-1", labels, Optional.of("sb4j-net-1"),
                List.of("192.168.70.1"), List.of("NET_RAW", "NET_ADMIN"));

        // when
        List<String> argv = ARGS.run(request, List.of(PortMapping.of(18080, 8080)), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).containsExactly(CLI, "run", "--detach", "--name", "sb4j-1", "--progress", "none",
                "--label", "team=agents", "--label", "dev.sandbox4j.managed=true",
                "--network", "sb4j-net-1", "--dns", "192.168.70.1", "--cap-drop", "NET_RAW", "--cap-drop", "NET_ADMIN",
                "--cpus", "2", "--memory", "512M", "--env", "FOO=bar", "--workdir", "/work", "--user", "1000:1000",
                "--volume", work + ":/work", "--volume", src + ":/src:ro",
                "--publish", "127.0.0.1:18080:8080/tcp", IMAGE, "sleep", "infinity");
    }

    @Test
    void fractionalCpusAreRoundedUpToWholeVcpus() {
        // given
        SandboxSpec spec = spec().cpus(1.5).build();

        // when
        List<String> argv = ARGS.run(request(spec), List.of(), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).containsSequence("--cpus", "2");
    }

    @Test
    void readOnlyRootfsAndInitImageAreEmittedWhenTheVersionHasThem() {
        // given
        AppleRunOptions options = new AppleRunOptions(true, "localhost/sandbox4j/vminit-egress:1");

        // when
        List<String> argv = ARGS.run(request(spec().build()), List.of(), options);

        // then
        assertThat(argv).containsSequence("--read-only", "--init-image", "localhost/sandbox4j/vminit-egress:1",
                "--entrypoint");
    }

    @Test
    void readOnlyRootfsOnAnOldCliNamesTheReleaseNeeded() {
        // given
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.7.1"));

        // when / then
        assertThatThrownBy(() -> old.run(request(spec().build()), List.of(), new AppleRunOptions(true, "")))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("--read-only").hasMessageContaining("0.7.1").hasMessageContaining("0.8.0");
    }

    @Test
    void initImageOnAnOldCliNamesTheReleaseNeeded() {
        // given
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.9.0"));

        // when / then
        assertThatThrownBy(() -> old.run(request(spec().build()), List.of(), new AppleRunOptions(false, "x:1")))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("0.10.0");
    }

    @Test
    void capDropOnACliBefore0120IsRefusedNamingTheRelease() {
        // given
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.11.0"));
        LaunchRequest request = new LaunchRequest(spec().build(), IMAGE, "sb4j-1", Map.of(), Optional.empty(),
                List.of(), List.of("NET_RAW"));

        // when / then
        assertThatThrownBy(() -> old.run(request, List.of(), AppleRunOptions.DEFAULTS))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("--cap-drop").hasMessageContaining("0.12.0");
    }

    @Test
    void progressFlagIsLeftOutBefore070() {
        // given
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.6.0"));

        // when
        List<String> argv = old.run(request(spec().build()), List.of(), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).isEqualTo(keepAlive(List.of(CLI, "run", "--detach", "--name", "sb4j-0123456789ab")));
    }

    @Test
    void publishingOnACliBefore030IsRefused() {
        // given
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.2.0"));

        // when / then
        assertThatThrownBy(() -> old.run(request(spec().build()), List.of(PortMapping.of(18080, 80)),
                AppleRunOptions.DEFAULTS)).isInstanceOf(SandboxConfigException.class).hasMessageContaining("0.3.0");
    }

    @Test
    void ipv6PublishUsesBracketsAndNeeds080() {
        // given
        PortMapping v6 = new PortMapping("::1", 18080, 80, "tcp");

        // when
        List<String> argv = ARGS.run(request(spec().build()), List.of(v6), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).containsSequence("--publish", "[::1]:18080:80/tcp");
        assertThatThrownBy(() -> new AppleContainerArgs(CLI, AppleCliVersion.parse("0.7.1"))
                .run(request(spec().build()), List.of(v6), AppleRunOptions.DEFAULTS))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("0.8.0");
    }

    @Test
    void udpPublishKeepsItsProtocol() {
        // when
        List<String> argv = ARGS.run(request(spec().build()), List.of(new PortMapping("127.0.0.1", 5353, 53, "udp")),
                AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).containsSequence("--publish", "127.0.0.1:5353:53/udp");
    }

    @Test
    void portOneIsRefusedBecauseTheCliRejectsIt() {
        // when / then
        assertThatThrownBy(() -> ARGS.run(request(spec().build()), List.of(PortMapping.of(1, 80)),
                AppleRunOptions.DEFAULTS)).isInstanceOf(SandboxConfigException.class).hasMessageContaining("above 1");
    }

    @Test
    void dnsWithAPortOrAHostNameIsRefused() {
        // given
        LaunchRequest withPort = new LaunchRequest(spec().build(), IMAGE, "sb4j-1", Map.of(), Optional.empty(),
                List.of("127.0.0.1:5353"), List.of());
        LaunchRequest withName = new LaunchRequest(spec().build(), IMAGE, "sb4j-1", Map.of(), Optional.empty(),
                List.of("dns.example"), List.of());

        // when / then
        assertThatThrownBy(() -> ARGS.run(withPort, List.of(), AppleRunOptions.DEFAULTS))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("no port");
        assertThatThrownBy(() -> ARGS.run(withName, List.of(), AppleRunOptions.DEFAULTS))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("IPv4 or IPv6 address only");
    }

    @Test
    void ipv6DnsServersAreAccepted() {
        // given
        LaunchRequest request = new LaunchRequest(spec().build(), IMAGE, "sb4j-1", Map.of(), Optional.empty(),
                List.of("fd00::53", "2001:db8:0:0:0:0:0:1", "::ffff:192.0.2.1"), List.of());

        // when
        List<String> argv = ARGS.run(request, List.of(), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).containsSequence("--dns", "fd00::53", "--dns", "2001:db8:0:0:0:0:0:1", "--dns",
                "::ffff:192.0.2.1");
    }

    @Test
    void labelValueWithEqualsSignIsRefused() {
        // given
        LaunchRequest request = new LaunchRequest(spec().build(), IMAGE, "sb4j-1", Map.of("k", "a=b"),
                Optional.empty(), List.of(), List.of());

        // when / then
        assertThatThrownBy(() -> ARGS.run(request, List.of(), AppleRunOptions.DEFAULTS))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("'='");
    }

    @Test
    void containerNamesOutsideTheCliPatternAreRefused() {
        for (String bad : List.of("x", "-leading-dash", "has space", "a".repeat(64), "slash/name")) {
            LaunchRequest request = new LaunchRequest(spec().build(), IMAGE, bad, Map.of(), Optional.empty(),
                    List.of(), List.of());
            assertThatThrownBy(() -> ARGS.run(request, List.of(), AppleRunOptions.DEFAULTS))
                    .as(bad).isInstanceOf(SandboxConfigException.class).hasMessageContaining("not valid for container");
        }
    }

    @Test
    void networkNoneNeeds060AndOtherNetworksNeed020() {
        // given
        LaunchRequest none = new LaunchRequest(spec().build(), IMAGE, "sb4j-1", Map.of(), Optional.of("none"),
                List.of(), List.of());

        // when
        List<String> argv = ARGS.run(none, List.of(), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).containsSequence("--network", "none");
        assertThatThrownBy(() -> new AppleContainerArgs(CLI, AppleCliVersion.parse("0.5.0"))
                .run(none, List.of(), AppleRunOptions.DEFAULTS)).hasMessageContaining("0.6.0");
    }

    @Test
    void aRelayPolicedLaunchHasNoNicItsInitImageTheRelaySocketAndNoNetworkCapabilities() throws IOException {
        // given: what the macOS egress session asks for
        Path socket = Files.createFile(tmp.resolve("relay.sock"));
        LaunchRequest request = new LaunchRequest(spec().command("sleep", "infinity").build(), IMAGE, "sb4j-1",
                Map.of(), Optional.of("none"), List.of("127.0.0.1"), List.of("NET_ADMIN", "NET_RAW"),
                List.of(new dev.sandbox4j.Mount(socket, "/run/sandbox4j/egress.sock", false)),
                Optional.of("localhost/sandbox4j-build/abc:latest"));

        // when
        List<String> argv = ARGS.run(request, List.of(), AppleRunOptions.DEFAULTS);

        // then
        assertThat(argv).containsExactly(CLI, "run", "--detach", "--name", "sb4j-1", "--progress", "none",
                "--network", "none", "--dns", "127.0.0.1", "--cap-drop", "NET_ADMIN", "--cap-drop", "NET_RAW",
                "--volume", socket + ":/run/sandbox4j/egress.sock",
                "--init-image", "localhost/sandbox4j-build/abc:latest", IMAGE, "sleep", "infinity");
    }

    @Test
    void aLaunchInitImageOverridesTheBackendsAndNeeds0100() {
        // given
        LaunchRequest request = new LaunchRequest(spec().build(), IMAGE, "sb4j-1", Map.of(), Optional.empty(),
                List.of(), List.of(), List.of(), Optional.of("localhost/egress-init:1"));
        AppleRunOptions options = new AppleRunOptions(false, "localhost/other-init:1");

        // when
        List<String> argv = ARGS.run(request, List.of(), options);

        // then
        assertThat(argv).containsSequence("--init-image", "localhost/egress-init:1")
                .doesNotContain("localhost/other-init:1");
        assertThatThrownBy(() -> new AppleContainerArgs(CLI, AppleCliVersion.parse("0.9.0"))
                .run(request, List.of(), AppleRunOptions.DEFAULTS)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("0.10.0");
    }

    @Test
    void execWithoutStdinHasNoInteractiveFlagAndNeverATty() {
        // given
        Exec exec = Exec.builder("sh", "-c", "echo hi").env("A", "1").workdir("/work").user("sandbox").build();

        // when
        List<String> argv = ARGS.exec("sb4j-1", exec, "m-1");

        // then
        assertThat(argv).containsExactly(CLI, "exec", "--env", "SANDBOX4J_EXEC=m-1", "--env", "A=1",
                "--workdir", "/work", "--user", "sandbox", "sb4j-1", "sh", "-c", "echo hi");
    }

    @Test
    void execWithStdinIsInteractive() {
        // given
        Exec exec = Exec.builder("cat").stdin("data".getBytes(java.nio.charset.StandardCharsets.UTF_8)).build();

        // when
        List<String> argv = ARGS.exec("sb4j-1", exec, "m-2");

        // then
        assertThat(argv).containsExactly(CLI, "exec", "--interactive", "--env", "SANDBOX4J_EXEC=m-2", "sb4j-1", "cat");
        assertThat(argv).doesNotContain("-t", "--tty", "-it");
    }

    @Test
    void interactiveExecSessionFeedsStdin() {
        // when
        List<String> argv = ARGS.interactiveExec("sb4j-1", List.of("/bin/sh"), Map.of("TERM", "dumb"));

        // then
        assertThat(argv).containsExactly(CLI, "exec", "--interactive", "--env", "TERM=dumb", "sb4j-1", "/bin/sh");
    }

    @Test
    void execWithTtyAndNoStdinAsksForATerminal() {
        // given
        Exec exec = Exec.builder("tty").tty(true).build();

        // when
        List<String> argv = ARGS.exec("sb4j-1", exec, "m-4");

        // then
        assertThat(argv).containsExactly(CLI, "exec", "--tty", "--env", "SANDBOX4J_EXEC=m-4", "sb4j-1", "tty");
    }

    @Test
    void execWithTtyAndStdinIsRefusedBecauseTheCliWouldNeedARealTerminal() {
        // given
        Exec exec = Exec.builder("cat").stdin("data").tty(true).build();

        // when / then
        assertThatThrownBy(() -> ARGS.exec("sb4j-1", exec, "m-5")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("real terminal").hasMessageContaining("Leave tty unset");
    }

    @Test
    void interactiveExecOfAnExecCarriesEnvWorkdirAndUser() {
        // given
        Exec exec = Exec.builder("/bin/sh").env("TERM", "dumb").workdir("/work").user("0").build();

        // when
        List<String> argv = ARGS.interactiveExec("sb4j-1", exec);

        // then
        assertThat(argv).containsExactly(CLI, "exec", "--interactive", "--env", "TERM=dumb", "--workdir", "/work",
                "--user", "0", "sb4j-1", "/bin/sh");
    }

    @Test
    void interactiveExecWithTtyIsRefused() {
        // given
        Exec exec = Exec.builder("/bin/sh").tty(true).build();

        // when / then
        assertThatThrownBy(() -> ARGS.interactiveExec("sb4j-1", exec)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("tty");
    }

    @Test
    void followLogsFollowsWithAnOptionalLineCount() {
        assertThat(ARGS.followLogs("sb4j-1", -1)).containsExactly(CLI, "logs", "--follow", "sb4j-1");
        assertThat(ARGS.followLogs("sb4j-1", 20)).containsExactly(CLI, "logs", "--follow", "-n", "20", "sb4j-1");
    }

    @Test
    void killMarkedPassesTheMarkerAsAnArgumentNotInTheScript() {
        // when
        List<String> argv = ARGS.killMarked("sb4j-1", "m-3");

        // then
        assertThat(argv.subList(0, 5)).containsExactly(CLI, "exec", "sb4j-1", "/bin/sh", "-c");
        assertThat(argv.get(5)).doesNotContain("m-3");
        assertThat(argv.subList(6, 8)).containsExactly("sh", "m-3");
    }

    @Test
    void lifecycleCommandsUseTheCliSpelling() {
        assertThat(ARGS.stop("sb4j-1", 5)).containsExactly(CLI, "stop", "--time", "5", "sb4j-1");
        assertThat(ARGS.kill("sb4j-1", "KILL")).containsExactly(CLI, "kill", "--signal", "KILL", "sb4j-1");
        assertThat(ARGS.delete("sb4j-1")).containsExactly(CLI, "delete", "--force", "sb4j-1");
        assertThat(ARGS.inspect("sb4j-1")).containsExactly(CLI, "inspect", "sb4j-1");
        assertThat(ARGS.list()).containsExactly(CLI, "list", "--all", "--format", "json");
        assertThat(ARGS.logs("sb4j-1")).containsExactly(CLI, "logs", "sb4j-1");
    }

    @Test
    void systemCommandsAreNonInteractiveAndVersionGated() {
        assertThat(AppleContainerArgs.cliVersion(CLI)).containsExactly(CLI, "--version");
        assertThat(ARGS.systemStart()).containsExactly(CLI, "system", "start", "--enable-kernel-install");
        assertThat(ARGS.systemStatus()).containsExactly(CLI, "system", "status", "--format", "json");
        assertThat(ARGS.systemVersion()).containsExactly(CLI, "system", "version", "--format", "json");
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.9.0"));
        assertThat(old.systemStatus()).containsExactly(CLI, "system", "status");
        assertThatThrownBy(old::systemVersion).isInstanceOf(SandboxConfigException.class).hasMessageContaining("0.10.0");
    }

    @Test
    void copyUsesContainerCopyFrom100() {
        // when / then
        assertThat(ARGS.copyTo("sb4j-1", Path.of("/tmp/in.txt"), "/work/in.txt"))
                .containsExactly(CLI, "copy", "/tmp/in.txt", "sb4j-1:/work/in.txt");
        assertThat(ARGS.copyFrom("sb4j-1", "/work/out.txt", Path.of("/tmp/out.txt")))
                .containsExactly(CLI, "copy", "sb4j-1:/work/out.txt", "/tmp/out.txt");
    }

    @Test
    void copyOnA0xCliIsRefusedAndTarThroughExecIsUsedInstead() {
        // given
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.12.3"));

        // when / then
        assertThatThrownBy(() -> old.copyTo("sb4j-1", Path.of("/tmp/in.txt"), "/work/in.txt"))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("1.0.0");
        assertThat(old.tarInto("sb4j-1", "/work/in.txt", "in.txt")).containsExactly(CLI, "exec", "--interactive",
                "--user", "0", "sb4j-1", "/bin/sh", "-c", AppleContainerArgs.TAR_INTO, "sh", "/work/in.txt", "in.txt");
        assertThat(old.tarOutOf("sb4j-1", "/work", "out.txt")).containsExactly(CLI, "exec", "--user", "0", "sb4j-1",
                "tar", "-c", "-f", "-", "-C", "/work", "out.txt");
    }

    @Test
    void buildUsesPlainProgressDockerfileTagLabelsAndArgs() throws IOException {
        // given
        Files.writeString(tmp.resolve("Dockerfile"), "FROM scratch\n");
        ImageSource.Build build = new ImageSource.Build(tmp, null, Map.of("V", "1"));

        // when
        List<String> argv = ARGS.build(build, "localhost/sandbox4j-build/abc:latest", Map.of("dev.sandbox4j.managed", "true"));

        // then
        assertThat(argv).containsExactly(CLI, "build", "--progress", "plain", "--file", tmp.resolve("Dockerfile").toString(),
                "--tag", "localhost/sandbox4j-build/abc:latest", "--label", "dev.sandbox4j.managed=true",
                "--build-arg", "V=1", tmp.toString());
    }

    @Test
    void imageCommandsUseTheImageGroupFrom050AndImagesBefore() {
        assertThat(ARGS.imageList()).containsExactly(CLI, "image", "list", "--format", "json");
        assertThat(ARGS.imagePull(IMAGE)).containsExactly(CLI, "image", "pull", "--progress", "none", IMAGE);
        AppleContainerArgs old = new AppleContainerArgs(CLI, AppleCliVersion.parse("0.4.1"));
        assertThat(old.imageList()).containsExactly(CLI, "images", "list", "--format", "json");
        assertThat(old.imagePull(IMAGE)).containsExactly(CLI, "images", "pull", IMAGE);
    }

    @Test
    void networkCommandsUseTheCliSpellingAndCheckTheName() {
        assertThat(ARGS.networkCreate("sb4j-net-1", Map.of("dev.sandbox4j.managed", "true")))
                .containsExactly(CLI, "network", "create", "--label", "dev.sandbox4j.managed=true", "sb4j-net-1");
        assertThat(ARGS.networkInspect("sb4j-net-1")).containsExactly(CLI, "network", "inspect", "sb4j-net-1");
        assertThat(ARGS.networkDelete("sb4j-net-1")).containsExactly(CLI, "network", "delete", "sb4j-net-1");
        assertThat(ARGS.networkList()).containsExactly(CLI, "network", "list", "--format", "json");
        assertThatThrownBy(() -> ARGS.networkCreate("Upper", Map.of())).isInstanceOf(SandboxConfigException.class);
        assertThatThrownBy(() -> new AppleContainerArgs(CLI, AppleCliVersion.parse("0.1.0")).networkList())
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("0.2.0");
    }
}
