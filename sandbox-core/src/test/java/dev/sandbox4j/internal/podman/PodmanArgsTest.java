package dev.sandbox4j.internal.podman;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.spi.LaunchRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodmanArgsTest {
    private static final String IMAGE = "localhost/busybox:latest";
    private static final String KEEP_ALIVE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done";

    private final PodmanArgs args = new PodmanArgs("/usr/bin/podman");

    @TempDir
    Path tmp;

    private static LaunchRequest minimal(SandboxSpec spec) {
        return new LaunchRequest(spec, IMAGE, "sb4j-000000000001", Map.of(), Optional.empty(), List.of(), List.of());
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void runWithEveryOptionListsThemInOrderBeforeTheKeepAliveEntrypoint() throws IOException {
        // given
        Path src = Files.createDirectory(tmp.resolve("src"));
        SandboxSpec spec = Sandbox.builder().image(IMAGE)
                .mount(tmp, "/work")
                .mountReadOnly(src, "/src")
                .publish(8080)
                .publish(9000, 80)
                .cpus(0.5)
                .memory("512m")
                .env("MODE", "test")
                .env("EXTRA", "x y")
                .workdir("/work")
                .user("1000:1000")
                .build();
        LaunchRequest request = new LaunchRequest(spec, IMAGE, "sb4j-0123456789ab",
                ordered("team", "agents", "dev.sandbox4j.managed", "true"), Optional.of("sb4j-net"),
                List.of("10.89.0.1"), List.of("NET_RAW", "NET_ADMIN"));

        // when
        List<String> argv = args.run(request);

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "run", "-d", "--pull=never", "--name", "sb4j-0123456789ab",
                "--label", "team=agents", "--label", "dev.sandbox4j.managed=true",
                "--network", "sb4j-net",
                "--dns", "10.89.0.1",
                "--cap-drop", "NET_RAW", "--cap-drop", "NET_ADMIN",
                "--cpus", "0.5",
                "--memory", "536870912b", "--memory-swap", "536870912b",
                "--env", "MODE=test", "--env", "EXTRA=x y",
                "--workdir", "/work",
                "--user", "1000:1000",
                "--volume", tmp + ":/work:rw", "--volume", src + ":/src:ro",
                "--publish", "127.0.0.1::8080/tcp", "--publish", "127.0.0.1:9000:80/tcp",
                "--entrypoint", "/bin/sh", IMAGE, "-c", KEEP_ALIVE_SCRIPT);
    }

    @Test
    void runWithoutOptionsHasOnlyNamePullPolicyAndKeepAlive() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).build();

        // when
        List<String> argv = args.run(minimal(spec));

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "run", "-d", "--pull=never", "--name", "sb4j-000000000001",
                "--entrypoint", "/bin/sh", IMAGE, "-c", KEEP_ALIVE_SCRIPT);
    }

    @Test
    void wholeCpusArePrintedWithoutAFraction() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).cpus(2).build();

        // when
        List<String> argv = args.run(minimal(spec));

        // then
        assertThat(argv).containsSequence("--cpus", "2");
    }

    @Test
    void explicitCommandFollowsTheImageWithoutEntrypointOverride() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).command("httpd", "-f", "-p", "8080").build();

        // when
        List<String> argv = args.run(minimal(spec));

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "run", "-d", "--pull=never", "--name", "sb4j-000000000001",
                IMAGE, "httpd", "-f", "-p", "8080");
    }

    @Test
    void pullPolicyMissingIsPassedToRun() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).pullPolicy(PullPolicy.MISSING).build();

        // when
        List<String> argv = args.run(minimal(spec));

        // then
        assertThat(argv).contains("--pull=missing").doesNotContain("--pull=never");
    }

    @Test
    void ipv6AndUdpPublishUsesBracketsAndProtocol() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).publish(PortMapping.parse("[::1]:5353:53/udp")).build();

        // when
        List<String> argv = args.run(minimal(spec));

        // then
        assertThat(argv).containsSequence("--publish", "[::1]:5353:53/udp");
    }

    @Test
    void execWithStdinEnvWorkdirAndUserIsInteractive() {
        // given
        Exec exec = Exec.builder("sh", "-c", "cat > /work/in").stdin("data").env("A", "1").env("B", "two words")
                .workdir("/work").user("nobody").build();

        // when
        List<String> argv = args.exec("abc123", exec, "marker-1");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "exec", "--interactive",
                "--env", "SANDBOX4J_EXEC=marker-1", "--env", "A=1", "--env", "B=two words",
                "--workdir", "/work", "--user", "nobody", "abc123", "sh", "-c", "cat > /work/in");
    }

    @Test
    void execWithoutStdinIsNotInteractiveAndCarriesOnlyTheMarker() {
        // given
        Exec exec = Exec.of("ls", "-l");

        // when
        List<String> argv = args.exec("abc123", exec, "marker-2");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "exec", "--env", "SANDBOX4J_EXEC=marker-2", "abc123",
                "ls", "-l");
    }

    @Test
    void execWithTtyAsksForATerminalBeforeTheEnvironment() {
        // given
        Exec exec = Exec.builder("tty").stdin("x").tty(true).build();

        // when
        List<String> argv = args.exec("abc123", exec, "marker-3");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "exec", "--interactive", "--tty",
                "--env", "SANDBOX4J_EXEC=marker-3", "abc123", "tty");
    }

    @Test
    void interactiveExecOfAnExecCarriesTtyEnvWorkdirAndUser() {
        // given
        Exec exec = Exec.builder("sh").tty(true).env("TERM", "xterm").workdir("/work").user("1000:1000").build();

        // when
        List<String> argv = args.interactiveExec("abc123", exec);

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "exec", "--interactive", "--tty", "--env", "TERM=xterm",
                "--workdir", "/work", "--user", "1000:1000", "abc123", "sh");
    }

    @Test
    void followLogsFollowsWithAnOptionalTail() {
        assertThat(args.followLogs("abc123", -1)).containsExactly("/usr/bin/podman", "logs", "--follow", "abc123");
        assertThat(args.followLogs("abc123", 0)).containsExactly("/usr/bin/podman", "logs", "--follow", "--tail", "0",
                "abc123");
    }

    @Test
    void killMarkedPassesTheMarkerAsAPositionalArgumentNotInsideTheScript() {
        // given
        String marker = "m'; reboot; '";

        // when
        List<String> argv = args.killMarked("abc123", marker);

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "exec", "abc123", "/bin/sh", "-c",
                "for p in /proc/[0-9]*; do if tr '\\000' '\\n' < \"$p/environ\" 2>/dev/null"
                        + " | grep -qx \"SANDBOX4J_EXEC=$1\"; then kill -9 \"${p#/proc/}\" 2>/dev/null; fi; done; true",
                "sh", marker);
    }

    @Test
    void copyToNamesHostPathThenContainerPath() {
        // when
        List<String> argv = args.copyTo("abc123", Path.of("/host/in.txt"), "/work/in.txt");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "cp", "/host/in.txt", "abc123:/work/in.txt");
    }

    @Test
    void copyFromNamesContainerPathThenHostPath() {
        // when
        List<String> argv = args.copyFrom("abc123", "/work/out.txt", Path.of("/host/out.txt"));

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "cp", "abc123:/work/out.txt", "/host/out.txt");
    }

    @Test
    void logsNamesTheContainer() {
        // when
        List<String> argv = args.logs("abc123");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "logs", "abc123");
    }

    @Test
    void removeForcesWithoutWaitingAndIgnoresMissingContainers() {
        // when
        List<String> argv = args.remove("abc123");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "rm", "--force", "--ignore", "--time", "0", "abc123");
    }

    @Test
    void listFiltersByEveryLabelInOrder() {
        // when
        List<String> argv = args.list(ordered("dev.sandbox4j.managed", "true", "dev.sandbox4j.owner", "1-2-ab"));

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "ps", "--all", "--format", "json",
                "--filter", "label=dev.sandbox4j.managed=true", "--filter", "label=dev.sandbox4j.owner=1-2-ab");
    }

    @Test
    void buildPassesPullPolicyFileTagLabelsBuildArgsAndContext() throws IOException {
        // given
        Files.writeString(tmp.resolve("Containerfile"), "FROM scratch\n");
        ImageSource.Build build = new ImageSource.Build(tmp, Path.of("Containerfile"), ordered("VERSION", "1.2", "MODE", "x y"));

        // when
        List<String> argv = args.build(build, "localhost/sandbox4j-build/abc:latest",
                ordered("dev.sandbox4j.managed", "true"), PullPolicy.NEVER);

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "build", "--pull=never",
                "--file", tmp.resolve("Containerfile").toString(),
                "--tag", "localhost/sandbox4j-build/abc:latest",
                "--label", "dev.sandbox4j.managed=true",
                "--build-arg", "VERSION=1.2", "--build-arg", "MODE=x y",
                tmp.toString());
    }

    @Test
    void imageExistsAndPullNameTheReference() {
        // when
        List<String> exists = args.imageExists(IMAGE);
        List<String> pull = args.pull(IMAGE);

        // then
        assertThat(exists).containsExactly("/usr/bin/podman", "image", "exists", IMAGE);
        assertThat(pull).containsExactly("/usr/bin/podman", "pull", IMAGE);
    }

    @Test
    void networkCreateDisablesPodmanDnsAndLabelsTheNetwork() {
        // when
        List<String> argv = args.networkCreate("sb4j-net", ordered("dev.sandbox4j.managed", "true", "team", "a"));

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "network", "create", "--disable-dns",
                "--label", "dev.sandbox4j.managed=true", "--label", "team=a", "sb4j-net");
    }

    @Test
    void networkInspectNamesTheNetwork() {
        // when
        List<String> argv = args.networkInspect("sb4j-net");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "network", "inspect", "sb4j-net");
    }

    @Test
    void networkRemoveForces() {
        // when
        List<String> argv = args.networkRemove("sb4j-net");

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "network", "rm", "--force", "sb4j-net");
    }

    @Test
    void networkListFiltersByLabel() {
        // when
        List<String> argv = args.networkList(ordered("dev.sandbox4j.managed", "true"));

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "network", "ls", "--format", "json",
                "--filter", "label=dev.sandbox4j.managed=true");
    }

    @Test
    void versionAsksForJson() {
        // when
        List<String> argv = args.version();

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "version", "--format", "json");
    }

    @Test
    void createTakesTheSameOptionsAsRunButDoesNotStart() {
        // given
        SandboxSpec spec = Sandbox.builder().image(IMAGE).build();
        LaunchRequest request = new LaunchRequest(spec, IMAGE, "sb4j-0123456789ab", ordered("dev.sandbox4j.managed", "true"),
                Optional.of("slirp4netns:allow_host_loopback=true"), List.of("10.0.2.2"), List.of("NET_ADMIN", "NET_RAW"));

        // when
        List<String> argv = args.create(request);

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "create", "--pull=never", "--name", "sb4j-0123456789ab",
                "--label", "dev.sandbox4j.managed=true",
                "--network", "slirp4netns:allow_host_loopback=true",
                "--dns", "10.0.2.2",
                "--cap-drop", "NET_ADMIN", "--cap-drop", "NET_RAW",
                "--entrypoint", "/bin/sh", IMAGE, "-c", KEEP_ALIVE_SCRIPT);
    }

    @Test
    void initNamespacesAndStartAreTheStepsBetweenCreateAndARunningContainer() {
        // when
        List<String> init = args.init("abc123");
        List<String> namespaces = args.namespaces("abc123");
        List<String> start = args.start("abc123");

        // then
        assertThat(init).containsExactly("/usr/bin/podman", "init", "abc123");
        assertThat(namespaces).containsExactly("/usr/bin/podman", "container", "inspect", "--format",
                "{{.State.Pid}} {{.NetworkSettings.SandboxKey}}", "abc123");
        assertThat(start).containsExactly("/usr/bin/podman", "start", "abc123");
    }

    @Test
    void aRootfulNetworkNamespaceIsEnteredWithNsenterAlone() {
        // when
        List<String> argv = args.enterNetworkNamespace("/run/netns/netns-4fd14408", false);

        // then
        assertThat(argv).containsExactly("nsenter", "--net=/run/netns/netns-4fd14408");
    }

    @Test
    void aRootlessNetworkNamespaceIsEnteredFromPodmansUserNamespace() {
        // when
        List<String> argv = args.enterNetworkNamespace("/run/user/1001/netns/netns-9fe9b1e1", true);

        // then
        assertThat(argv).containsExactly("/usr/bin/podman", "unshare", "nsenter",
                "--net=/run/user/1001/netns/netns-9fe9b1e1");
    }
}
