package dev.sandbox4j.kubernetes.play;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.testbed.FakeInternet;
import dev.sandbox4j.kubernetes.KubeManifest;
import dev.sandbox4j.kubernetes.KubernetesOptions;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.NamespaceRules;
import dev.sandbox4j.testing.RuntimeRequirement;
import dev.sandbox4j.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane for real: the Pod YAML this module generates, played by {@code podman kube play} (rootful), with
 * the enforcer image built by {@code scripts/build-enforcer-image.sh}. The init container loads the rules into the
 * pod's network namespace; the workload runs without NET_ADMIN and NET_RAW. Probes go to the fake internet test
 * bed (TEST-NET addresses in a namespace the test makes); every negative probe is paired with a positive control
 * from an allow-all pod of the same image. Run under {@code flock /tmp/sb4j-testbed.lock}.
 *
 * <p>The rules here come from {@link CidrOnlyRules}: the DNS interceptor and learned addresses live in the
 * enforcer sidecar, which this image does not hold yet, so host-name rules are not exercised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanKubePlayTest {
    /** The in-namespace rule builder the pods get. */
    NamespaceRules rules() {
        return new CidrOnlyRules();
    }

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    private final CommandRunner runner = CommandRunner.system();
    private final List<Path> played = new ArrayList<>();
    private final List<String> pods = new ArrayList<>();
    private FakeInternet internet;
    private String enforcerImage;
    private String policed;
    private String open;

    @BeforeAll
    void playPods() throws IOException {
        RuntimeRequirement.require("podman");
        String busybox = TestImages.busybox();
        enforcerImage = KubernetesOptions.defaultEnforcerImage();
        if (run("podman", "image", "exists", enforcerImage).exitCode() != 0) {
            run(REPO.resolve("scripts/build-enforcer-image.sh").toString(), enforcerImage).requireSuccess();
        }
        internet = FakeInternet.start();
        policed = play(Sandbox.builder().image(busybox)
                .egress(EgressPolicy.denyAll().allowCidr(FakeInternet.CIDR_IP + "/32", 80)).build());
        open = play(Sandbox.builder().image(busybox).egress(EgressPolicy.allowAll()).build());
    }

    @AfterAll
    void tearDown() {
        for (Path yaml : played) {
            run("podman", "kube", "down", yaml.toString());
            try {
                Files.deleteIfExists(yaml);
            } catch (IOException e) {
                // a temp file; nothing else to do
            }
        }
        for (String pod : pods) {
            run("podman", "pod", "rm", "--force", "--ignore", pod);
        }
        if (internet != null) {
            internet.close();
        }
    }

    private CommandResult run(String... argv) {
        return runner.run(Command.of(List.of(argv), STEP));
    }

    /** Plays the pod of {@code spec} and waits until its workload runs; returns the pod's name. */
    private String play(SandboxSpec spec) throws IOException {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        String name = "sb4j-" + HexFormat.of().formatHex(b);
        KubernetesOptions options = KubernetesOptions.builder().enforcerImage(enforcerImage).build();
        Path yaml = Files.createTempFile("sb4j-pod-", ".yaml");
        Files.writeString(yaml, KubeManifest.podYaml(spec, options, name, rules()));
        played.add(yaml);
        pods.add(name);
        run("podman", "kube", "play", yaml.toString()).requireSuccess();
        Instant deadline = Instant.now().plus(STEP);
        while (!run("podman", "container", "inspect", "--format", "{{.State.Status}}", workload(name)).stdout().strip()
                .equals("running")) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("workload of pod " + name + " is not running: "
                        + run("podman", "pod", "inspect", name).stdout());
            }
            Thread.onSpinWait();
        }
        return name;
    }

    private static String workload(String pod) {
        return pod + "-sandbox";
    }

    private CommandResult sh(String pod, String script) {
        return run("podman", "exec", workload(pod), "sh", "-c", script);
    }

    private CommandResult get(String pod, String ip, int port) {
        return sh(pod, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " + port);
    }

    private CommandResult hostNft(String pod, String... nftArgs) {
        String infra = run("podman", "pod", "inspect", "--format", "{{.InfraContainerID}}", pod).stdout().strip();
        String pid = run("podman", "inspect", "--format", "{{.State.Pid}}", infra).stdout().strip();
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", pid, "-n", "/usr/sbin/nft"));
        argv.addAll(List.of(nftArgs));
        return runner.run(Command.of(argv, STEP));
    }

    @Test
    void theInitContainerLoadedTheRulesIntoThePodsNamespaceAndTheOpenPodHasNone() {
        CommandResult policedRules = hostNft(policed, "list", "ruleset");
        CommandResult openRules = hostNft(open, "list", "ruleset");

        assertThat(policedRules.exitCode()).isZero();
        assertThat(policedRules.stdout()).contains("table inet " + CidrOnlyRules.TABLE)
                .contains("ip daddr " + FakeInternet.CIDR_IP + " tcp dport 80 accept");
        assertThat(openRules.exitCode()).isZero();
        assertThat(openRules.stdout()).doesNotContain(CidrOnlyRules.TABLE);
    }

    @Test
    void theWorkloadHoldsNeitherNetAdminNorNetRaw() {
        CommandResult caps = sh(policed, "grep -E '^Cap(Eff|Bnd):' /proc/self/status");

        assertThat(caps.exitCode()).isZero();
        for (String line : caps.stdout().strip().split("\n")) {
            long mask = Long.parseUnsignedLong(line.substring(line.indexOf(':') + 1).strip(), 16);
            assertThat(mask & (1L << 12)).as("NET_ADMIN in " + line).isZero();
            assertThat(mask & (1L << 13)).as("NET_RAW in " + line).isZero();
            assertThat(mask & (1L << 0)).as("CHOWN, a capability it keeps, in " + line).isNotZero();
        }
    }

    @Test
    void execThroughThePodReturnsExitCodeAndBothStreams() {
        CommandResult r = sh(policed, "echo hi; echo oops >&2; exit 3");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
    }

    @Test
    void anAllowedCidrAndPortConnectsWhileItsOtherPortIsRefused() {
        int mark = internet.mark();

        CommandResult allowed = get(policed, FakeInternet.CIDR_IP, 80);
        CommandResult otherPort = get(policed, FakeInternet.CIDR_IP, 81);

        assertThat(allowed.stdout()).contains("hello from " + FakeInternet.CIDR_IP + ":80");
        assertThat(otherPort.stdout()).isEmpty();
        assertThat(internet.seenSince(mark, "tcp", FakeInternet.CIDR_IP, 81)).isEmpty();
    }

    /**
     * The positive control runs first and must arrive; then the negative probe, then an allowed probe from the
     * policed pod that travels the same path, so a leak of the negative probe would be on record before the check.
     */
    private void refusedWhileOpenPodReaches(String proto, String ip, int port, String probe) {
        int beforeControl = internet.mark();
        CommandResult control = sh(open, probe);
        if (proto.equals("tcp")) {
            assertThat(control.stdout()).contains("hello from " + ip + ":" + port);
        }
        assertThat(internet.seenSince(beforeControl, proto, ip, port)).isNotEmpty();

        int mark = internet.mark();
        CommandResult denied = sh(policed, probe);
        CommandResult allowedAfter = get(policed, FakeInternet.CIDR_IP, 80);

        assertThat(denied.stdout()).doesNotContain("hello from");
        assertThat(allowedAfter.stdout()).contains("hello from " + FakeInternet.CIDR_IP + ":80");
        assertThat(internet.seenSince(mark, proto, ip, port)).isEmpty();
    }

    private static String httpGet(String ip, int port) {
        return "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " + port;
    }

    @Test
    void anAddressNoRuleAllowsIsRefusedWhileTheOpenPodReachesIt() {
        refusedWhileOpenPodReaches("tcp", FakeInternet.DENIED_IP, 80, httpGet(FakeInternet.DENIED_IP, 80));
    }

    @Test
    void dnsToAnOutsideResolverNeverLeavesThePodWhileTheOpenPodsQueryArrives() {
        refusedWhileOpenPodReaches("udp", FakeInternet.RESOLVER_IP, 53,
                "nslookup example.com " + FakeInternet.RESOLVER_IP);
    }

    @Test
    void dnsOverTcpToAnOutsideResolverNeverLeavesThePodWhileTheOpenPodsConnectionArrives() {
        refusedWhileOpenPodReaches("tcp", FakeInternet.RESOLVER_IP, 53,
                "printf x | nc -w 3 " + FakeInternet.RESOLVER_IP + " 53");
    }

    @Test
    void theCloudMetadataAddressIsRefusedWhileTheOpenPodReachesIt() {
        refusedWhileOpenPodReaches("tcp", FakeInternet.METADATA_IP, 80, httpGet(FakeInternet.METADATA_IP, 80));
    }

    @Test
    void theLibrarysExecContractHoldsInTheWorkloadContainerOfAPlayedPod(@TempDir Path tmp) throws IOException {
        // given: a detached allow-all pod, attached through the public API (Podman drives its workload container)
        String pod = play(Sandbox.builder().image(TestImages.busybox()).egress(EgressPolicy.allowAll()).detached(true)
                .build());
        Path in = Files.writeString(tmp.resolve("in.txt"), "payload\n");

        // when
        ExecResult session;
        ExecResult plain;
        ExecResult withStdin;
        ExecResult withEnv;
        try (Sandbox sandbox = Sandbox.attach(workload(pod))) {
            session = sandbox.exec("sh", "-c", "echo hi; echo oops >&2; exit 3");
            plain = sandbox.exec(Exec.builder("sh", "-c", "echo hi; echo oops >&2; exit 3").mode(ExecMode.PLAIN)
                    .build());
            withStdin = sandbox.exec(Exec.builder("tr", "a-z", "A-Z").stdin("shout\n").build());
            withEnv = sandbox.exec(Exec.builder("sh", "-c", "echo $MODE; pwd").env("MODE", "test").workdir("/tmp")
                    .build());
            sandbox.copyTo(in, "/tmp/in.txt");
            sandbox.exec("sh", "-c", "tr a-z A-Z < /tmp/in.txt > /tmp/out.txt").requireSuccess();
            sandbox.copyFrom("/tmp/out.txt", tmp.resolve("out.txt"));
        }

        // then
        for (ExecResult r : List.of(session, plain)) {
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdout()).isEqualTo("hi\n");
            assertThat(r.stderr()).isEqualTo("oops\n");
        }
        assertThat(withStdin.stdout()).isEqualTo("SHOUT\n");
        assertThat(withEnv.stdout()).isEqualTo("test\n/tmp\n");
        assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("PAYLOAD\n");
    }

    @Test
    void aWorkloadWithNftButWithoutNetAdminCanNeitherReadNorChangeTheRules() throws IOException {
        // given: a policed pod whose workload image holds nft (the enforcer image itself)
        String pod = play(Sandbox.builder().image(enforcerImage)
                .egress(EgressPolicy.denyAll().allowCidr(FakeInternet.CIDR_IP + "/32", 80)).build());

        // when
        CommandResult read = sh(pod, "nft list ruleset");
        CommandResult flush = sh(pod, "nft flush ruleset");
        CommandResult add = sh(pod, "nft add table inet evil");

        // then
        assertThat(read.exitCode()).isNotZero();
        assertThat(read.stderr()).contains("Operation not permitted");
        assertThat(read.stdout()).doesNotContain(CidrOnlyRules.TABLE);
        assertThat(flush.exitCode()).isNotZero();
        assertThat(add.exitCode()).isNotZero();
        CommandResult fromOutside = hostNft(pod, "list", "ruleset");
        assertThat(fromOutside.stdout()).contains("table inet " + CidrOnlyRules.TABLE)
                .contains("ip daddr " + FakeInternet.CIDR_IP + " tcp dport 80 accept")
                .doesNotContain("evil");
    }
}
