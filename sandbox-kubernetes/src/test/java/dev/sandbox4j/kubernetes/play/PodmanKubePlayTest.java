package dev.sandbox4j.kubernetes.play;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecMode;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.internal.dns.TestZone;
import dev.sandbox4j.egress.internal.linux.PodNamespaceRules;
import dev.sandbox4j.egress.pod.PodEnforcer;
import dev.sandbox4j.egress.testbed.TestBed;
import dev.sandbox4j.kubernetes.KubeManifest;
import dev.sandbox4j.kubernetes.KubernetesOptions;
import dev.sandbox4j.kubernetes.internal.AuditLines;
import dev.sandbox4j.kubernetes.internal.PodManifest;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.testing.FakeInternet;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The data plane for real: the Pod YAML this module generates, played by {@code podman kube play} (rootful), with
 * the enforcer image built by {@code scripts/build-enforcer-image.sh --jars} from this build's jars
 * ({@link EnforcerImage}). The init container loads sandbox-egress's in-namespace rules into the pod's network
 * namespace; the enforcer sidecar runs {@code PodEnforcer} (DNS interceptor, rule updater, heartbeat); the workload
 * runs without NET_ADMIN and NET_RAW. The DNS upstream is a test authority on the host's side of the fake
 * internet's link ({@value FakeInternet#HOST_SIDE}:53), reached from the pod through the host; probes go to the fake
 * internet test bed (TEST-NET addresses in a namespace the test makes). Every negative probe is paired with a
 * positive control in the same pod, or from an allow-all pod of the same image where the policed pod has no path
 * to the address at all. The audit trail is read as the runtime reads it: the enforcer container's log, here
 * followed with {@code podman logs -f} (on a cluster, the API's log stream), each line through {@link AuditLines}.
 * Run under {@code flock /tmp/sb4j-testbed.lock}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanKubePlayTest {
    private static final String ALLOWED = "alpha.test.sandbox4j.example";
    private static final String DENIED = "beta.test.sandbox4j.example";
    /** Allowed on port 443 only; points at the CIDR server, whose CIDR rule allows port 80 only. */
    private static final String PORTED = "ported.test.sandbox4j.example";
    /** Allowed, but first asked only after the enforcer was killed. */
    private static final String LATE = "late.test.sandbox4j.example";
    private static final Duration STEP = Duration.ofSeconds(60);
    /** How long a positive control of the allow-all pod may take to arrive (see {@link #openControl}). */
    private static final Duration CONTROL_WAIT = Duration.ofSeconds(60);
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final InetSocketAddress UPSTREAM = new InetSocketAddress(FakeInternet.HOST_SIDE, 53);
    /** The network {@code podman kube play} attaches pods to, creating it when it is missing. */
    private static final String KUBE_NETWORK = "podman-default-kube-network";

    private final CommandRunner runner = CommandRunner.system();
    private final List<Path> played = new ArrayList<>();
    private final List<String> pods = new ArrayList<>();
    private final List<RunningCommand> followers = new ArrayList<>();
    private FakeInternet internet;
    private TestDnsServer authority;
    private String enforcerImage;
    private String policed;
    private EgressRecorder policedLog;
    private String open;
    /** Whether the kube network was there before this test played its first pod (then it is left there). */
    private boolean kubeNetworkExisted = true;

    private static EgressPolicy policy() {
        return EgressPolicy.denyAll()
                .allow(ALLOWED)
                .allow(PORTED, 443)
                .allow(LATE)
                .allowCidr(FakeInternet.CIDR_IP + "/32", 80)
                .withUpstream(UPSTREAM);
    }

    @BeforeAll
    void playPods() throws IOException {
        RuntimeRequirement.require("podman");
        kubeNetworkExisted = run("podman", "network", "exists", KUBE_NETWORK).exitCode() == 0;
        String busybox = TestImages.busybox();
        enforcerImage = EnforcerImage.ensure(REPO, Path.of("target"), KubernetesOptions.defaultEnforcerImage());
        internet = TestBed.fakeInternet();
        authority = TestZone.server(UPSTREAM);
        authority.add("alpha 60 A " + FakeInternet.ALLOWED_IP);
        authority.add("beta 60 A " + FakeInternet.DENIED_IP);
        authority.add("ported 60 A " + FakeInternet.CIDR_IP);
        authority.add("late 60 A " + FakeInternet.DENIED_IP);
        policed = play(Sandbox.builder().image(busybox).egress(policy()).build());
        pinKubeBridgeAddress();
        policedLog = follow(policed);
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
        for (RunningCommand f : followers) {
            f.close();
        }
        if (authority != null) {
            authority.close();
        }
        if (internet != null) {
            internet.close();
        }
        if (!kubeNetworkExisted && run("podman", "network", "exists", KUBE_NETWORK).exitCode() == 0) {
            run("podman", "network", "rm", KUBE_NETWORK).requireSuccess();
        }
    }

    private CommandResult run(String... argv) {
        return runner.run(Command.of(List.of(argv), STEP));
    }

    /** Plays the pod of {@code spec} and waits until its workload runs (and its enforcer, if any, is ready). */
    private String play(SandboxSpec spec) throws IOException {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        String name = "sb4j-" + HexFormat.of().formatHex(b);
        KubernetesOptions options = KubernetesOptions.builder().enforcerImage(enforcerImage).build();
        Path yaml = Files.createTempFile("sb4j-pod-", ".yaml");
        Files.writeString(yaml, KubeManifest.podYaml(spec, options, name, new PodNamespaceRules()));
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
        if (!spec.egress().allowsEverything()) {
            while (!run("podman", "logs", enforcer(name)).stderr().contains("enforcer: ready")) {
                String state = run("podman", "container", "inspect", "--format", "{{.State.Status}}", enforcer(name))
                        .stdout().strip();
                if (Instant.now().isAfter(deadline) || state.equals("exited")) {
                    CommandResult logs = run("podman", "logs", enforcer(name));
                    throw new IllegalStateException("enforcer of pod " + name + " is not ready (" + state + "): "
                            + logs.stdout() + logs.stderr());
                }
                pause(200);
            }
        }
        return name;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enforcer(String pod) {
        return pod + "-" + PodManifest.ENFORCER;
    }

    /**
     * Follows the enforcer container's log as the runtime does (there through the API's log stream, here through
     * {@code podman logs -f}): every line goes through {@link AuditLines} into a recorder, the sandbox's egress log.
     */
    private EgressRecorder follow(String pod) {
        EgressRecorder log = new EgressRecorder(pod);
        RunningCommand logs = runner.start(Command.builder(List.of("podman", "logs", "-f", enforcer(pod))).build());
        followers.add(logs);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(logs.stdout(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    AuditLines.parse(line, pod).ifPresent(log::record);
                }
            } catch (IOException e) {
                // the follower was stopped
            }
        }, "enforcer-log-" + pod);
        t.setDaemon(true);
        t.start();
        return log;
    }

    private static String workload(String pod) {
        return pod + "-sandbox";
    }

    /**
     * Netavark 1.4 leaves the kube network's bridge with the lowest MAC of its ports, so the bridge's address changes
     * as pods come and go, and an idle pod keeps sending to the old one until its ARP entry expires (seen here: the
     * allow-all pod's neighbour entry for the gateway differed from the bridge's MAC while its controls timed out).
     * Setting the address explicitly stops the kernel from recalculating it; later netavark versions do the same.
     */
    private void pinKubeBridgeAddress() throws IOException {
        String bridge = run("podman", "network", "inspect", "--format", "{{.NetworkInterface}}",
                KUBE_NETWORK).stdout().strip();
        String mac = Files.readString(Path.of("/sys/class/net", bridge, "address")).strip();
        run("ip", "link", "set", "dev", bridge, "address", mac).requireSuccess();
    }

    /**
     * Runs a positive control in the allow-all pod until it arrives or {@link #CONTROL_WAIT} passes, printing what
     * the pod and the host see on every miss. Only controls are repeated, never a negative probe: a control that
     * never arrives still fails its test. (Podman's netavark 1.4 lets a bridge's MAC change when pods come and go
     * on it; an idle pod then sends to the old MAC until its ARP entry expires; see {@link #pinKubeBridgeAddress}.)
     */
    private CommandResult openControl(String probe, java.util.function.Predicate<CommandResult> arrived) {
        Instant deadline = Instant.now().plus(CONTROL_WAIT);
        while (true) {
            int mark = internet.mark();
            CommandResult r = sh(open, probe);
            if (arrived.test(r) || Instant.now().isAfter(deadline)) {
                return r;
            }
            System.err.println("the allow-all pod's control missed (" + probe + "): " + r.stdout() + r.stderr()
                    + "\n" + diagnose(open, mark));
            pause(1000);
        }
    }

    private String diagnose(String pod, int mark) {
        String infra = run("podman", "pod", "inspect", "--format", "{{.InfraContainerID}}", pod).stdout().strip();
        String pid = run("podman", "inspect", "--format", "{{.State.Pid}}", infra).stdout().strip();
        String bridge = run("podman", "network", "inspect", "--format", "{{.NetworkInterface}}",
                KUBE_NETWORK).stdout().strip();
        StringBuilder out = new StringBuilder();
        for (List<String> argv : List.of(
                List.of("nsenter", "-t", pid, "-n", "ip", "-4", "addr"),
                List.of("nsenter", "-t", pid, "-n", "ip", "route"),
                List.of("nsenter", "-t", pid, "-n", "ip", "neigh"),
                List.of("ip", "-d", "link", "show", bridge),
                List.of("ip", "neigh", "show", "dev", bridge),
                List.of("ip", "route"),
                List.of("nft", "list", "tables"),
                List.of("ip", "netns", "exec", internet.netns(), "ip", "neigh"))) {
            CommandResult r = runner.run(Command.of(argv, STEP));
            out.append("$ ").append(String.join(" ", argv)).append('\n').append(r.stdout()).append(r.stderr());
        }
        return out.append("fake internet since the probe: ").append(internet.seenSince(mark)).toString();
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
        assertThat(policedRules.stdout()).contains("table inet " + PodNamespaceRules.TABLE)
                .contains("ip daddr " + FakeInternet.CIDR_IP + " tcp dport 80 accept")
                .contains("meta mark 0x" + Long.toHexString(PodNamespaceRules.UPSTREAM_MARK) + " ip daddr "
                        + FakeInternet.HOST_SIDE + " udp dport 53 accept");
        assertThat(openRules.exitCode()).isZero();
        assertThat(openRules.stdout()).doesNotContain(PodNamespaceRules.TABLE);
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
        CommandResult control = openControl(probe, r -> proto.equals("tcp")
                ? r.stdout().contains("hello from " + ip + ":" + port)
                : !internet.seenSince(beforeControl, proto, ip, port).isEmpty());
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
    void aWorkloadWithNftAndTheEnforcerButWithoutNetAdminCanNeitherChangeTheRulesNorActAsTheEnforcer()
            throws IOException {
        // given: a policed pod whose workload image holds nft and the enforcer (the enforcer image itself)
        String pod = play(Sandbox.builder().image(enforcerImage).egress(policy()).build());

        // when
        CommandResult read = sh(pod, "nft list ruleset");
        CommandResult flush = sh(pod, "nft flush ruleset");
        CommandResult add = sh(pod, "nft add table inet evil");
        CommandResult impostor = run("podman", "exec", "-e", PodEnforcer.ENV_POLICY + "=" + policy(), "-e",
                PodEnforcer.ENV_DNS_PORT + "=5354", "-e", PodEnforcer.ENV_SANDBOX + "=impostor", workload(pod),
                "/opt/sandbox4j/bin/enforcer");
        CommandResult theRealOne = sh(pod, "nslookup " + ALLOWED);

        // then
        assertThat(read.exitCode()).isNotZero();
        assertThat(read.stderr()).contains("Operation not permitted");
        assertThat(read.stdout()).doesNotContain(PodNamespaceRules.TABLE);
        assertThat(flush.exitCode()).isNotZero();
        assertThat(add.exitCode()).isNotZero();
        assertThat(impostor.exitCode()).isEqualTo(PodEnforcer.EXIT_UNAVAILABLE);
        assertThat(impostor.stderr()).contains("Operation not permitted");
        assertThat(theRealOne.stdout()).contains(FakeInternet.ALLOWED_IP);
        CommandResult fromOutside = hostNft(pod, "list", "ruleset");
        assertThat(fromOutside.stdout()).contains("table inet " + PodNamespaceRules.TABLE)
                .contains("ip daddr " + FakeInternet.CIDR_IP + " tcp dport 80 accept")
                .doesNotContain("evil");
    }

    private void resolveAllowed(String pod) {
        assertThat(sh(pod, "nslookup " + ALLOWED).stdout()).contains(FakeInternet.ALLOWED_IP);
    }

    @Test
    void anAllowedNameResolvesAndConnectsWhileADeniedNameIsNxdomainNeverAskedUpstreamAndUnreachable() {
        int mark = internet.mark();

        CommandResult allowed = sh(policed, "nslookup " + ALLOWED);
        CommandResult allowedGet = get(policed, FakeInternet.ALLOWED_IP, 80);
        CommandResult denied = sh(policed, "nslookup " + DENIED);
        CommandResult deniedGet = get(policed, FakeInternet.DENIED_IP, 80);

        assertThat(allowed.stdout()).contains(FakeInternet.ALLOWED_IP);
        assertThat(allowedGet.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP + ":80");
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
        assertThat(deniedGet.stdout()).doesNotContain("hello from");
        assertThat(authority.queriedNames()).contains(ALLOWED + ".").doesNotContain(DENIED + ".");
        assertThat(internet.seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 80)).isNotEmpty();
        assertThat(internet.seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
    }

    @Test
    void aRawAddressThatWasNeverLearnedIsRefusedWhileALearnedOneConnects() {
        int mark = internet.mark();
        resolveAllowed(policed);

        CommandResult denied = sh(policed, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 "
                + FakeInternet.DENIED_IP + " 443; echo rc=$?");
        CommandResult allowed = get(policed, FakeInternet.ALLOWED_IP, 443);

        assertThat(allowed.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP + ":443");
        assertThat(denied.stdout()).contains("rc=1").doesNotContain("hello from");
        assertThat(internet.seenSince(mark, "tcp", FakeInternet.DENIED_IP, 443)).isEmpty();
    }

    @Test
    void aNameAllowedOnOnePortConnectsThereAndOnNoOtherPort() {
        int mark = internet.mark();

        CommandResult lookup = sh(policed, "nslookup " + PORTED);
        CommandResult allowed = get(policed, FakeInternet.CIDR_IP, 443);
        CommandResult otherPort = get(policed, FakeInternet.CIDR_IP, 81);

        assertThat(lookup.stdout()).contains(FakeInternet.CIDR_IP);
        assertThat(allowed.stdout()).contains("hello from " + FakeInternet.CIDR_IP + ":443");
        assertThat(otherPort.stdout()).doesNotContain("hello from");
        assertThat(internet.seenSince(mark, "tcp", FakeInternet.CIDR_IP, 81)).isEmpty();
    }

    @Test
    void udpAndDnsOverTlsAreBlockedEvenToAnAllowedAddress() {
        String udpProbe = "tftp -g -r probe " + FakeInternet.ALLOWED_IP + " 443; echo rc=$?";
        int beforeControls = internet.mark();
        openControl(udpProbe, r -> !internet.seenSince(beforeControls, "udp", FakeInternet.ALLOWED_IP, 443).isEmpty());
        CommandResult dotControl = openControl(httpGet(FakeInternet.ALLOWED_IP, 853),
                r -> r.stdout().contains("hello from " + FakeInternet.ALLOWED_IP + ":853"));
        int mark = internet.mark();
        resolveAllowed(policed);

        CommandResult quic = sh(policed, udpProbe);
        CommandResult dot = get(policed, FakeInternet.ALLOWED_IP, 853);
        CommandResult https = get(policed, FakeInternet.ALLOWED_IP, 443);

        assertThat(internet.seenSince(beforeControls, "udp", FakeInternet.ALLOWED_IP, 443))
                .as("the allow-all pod's datagram to the same address and port arrives").isNotEmpty();
        assertThat(dotControl.stdout()).as("the allow-all pod reaches the same address on 853")
                .contains("hello from " + FakeInternet.ALLOWED_IP + ":853");
        assertThat(https.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP + ":443");
        assertThat(dot.stdout()).doesNotContain("hello from");
        assertThat(internet.seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 853)).isEmpty();
        assertThat(quic.stdout()).contains("rc=1");
        assertThat(internet.seenSince(mark, "udp", FakeInternet.ALLOWED_IP, 443)).isEmpty();
    }

    /**
     * Builds the ICMP probe (src/test/c, static, an ICMP datagram socket: what a workload without NET_RAW can still
     * open where ping_group_range allows it, as Podman's default does) and copies it into the pod's workload.
     */
    private String icmpProbe(String pod) {
        Path probe = Path.of("target", "icmp-probe").toAbsolutePath();
        if (!Files.exists(probe)) {
            run("gcc", "-std=c11", "-O2", "-static", "-Wall", "-Wextra", "-Werror", "-o", probe.toString(),
                    Path.of("src/test/c/icmp-probe.c").toAbsolutePath().toString()).requireSuccess();
        }
        run("podman", "cp", probe.toString(), workload(pod) + ":/tmp/icmp-probe").requireSuccess();
        return "/tmp/icmp-probe";
    }

    @Test
    void icmpToAnAllowedAddressIsBlockedWhileTheOpenPodsEchoIsAnswered() {
        resolveAllowed(policed);
        String probe = icmpProbe(policed);
        icmpProbe(open);

        CommandResult control = openControl(probe + " " + FakeInternet.ALLOWED_IP, r -> r.stdout().equals("reply\n"));
        CommandResult denied = sh(policed, probe + " " + FakeInternet.ALLOWED_IP);
        CommandResult https = get(policed, FakeInternet.ALLOWED_IP, 443);

        assertThat(control.stdout()).as("the allow-all pod's echo is answered").isEqualTo("reply\n");
        assertThat(control.exitCode()).isZero();
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stdout()).doesNotContain("reply\n").isNotBlank();
        assertThat(https.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP + ":443");
    }

    @Test
    void theWorkloadsQueriesToTheEnforcersUpstreamAreRedirectedFromAnyUidWhileTheEnforcersOwnLeave() {
        for (String uid : List.of("0", "65534")) {
            // when: straight to the upstream the enforcer uses, as root (the enforcer's own uid) and as another uid
            CommandResult denied = run("podman", "exec", "--user", uid, workload(policed), "nslookup", DENIED,
                    FakeInternet.HOST_SIDE);
            Message deniedOverTcp = tcpQuery(uid, DENIED);
            Message allowedOverTcp = tcpQuery(uid, ALLOWED);
            CommandResult allowed = run("podman", "exec", "--user", uid, workload(policed), "nslookup", ALLOWED,
                    FakeInternet.HOST_SIDE);
            CommandResult id = run("podman", "exec", "--user", uid, workload(policed), "id", "-u");

            // then: the interceptor answered (the upstream would have given the denied name an address and seen it)
            assertThat(id.stdout().strip()).isEqualTo(uid);
            assertThat(denied.stdout() + denied.stderr()).as("uid " + uid).contains("NXDOMAIN")
                    .doesNotContain(FakeInternet.DENIED_IP);
            assertThat(deniedOverTcp.getRcode()).as("uid " + uid + ": DNS over TCP to the upstream, denied name")
                    .isEqualTo(Rcode.NXDOMAIN);
            assertThat(deniedOverTcp.getSection(Section.ANSWER)).isEmpty();
            assertThat(allowedOverTcp.getRcode()).as("uid " + uid + ": the same probe, allowed name")
                    .isEqualTo(Rcode.NOERROR);
            assertThat(allowedOverTcp.getSection(Section.ANSWER)).extracting(r -> r.rdataToString())
                    .containsExactly(FakeInternet.ALLOWED_IP);
            assertThat(authority.queries()).as("uid " + uid + ": no query over TCP reached the upstream")
                    .noneMatch(q -> q.tcp());
            assertThat(allowed.stdout()).as("uid " + uid + ": the enforcer's own lookup went out and came back")
                    .contains(FakeInternet.ALLOWED_IP);
            assertThat(authority.queries()).as("nothing but the enforcer's queries reached the upstream")
                    .allMatch(q -> q.name().equals(ALLOWED + ".") || q.name().equals(PORTED + ".")
                            || q.name().equals(LATE + "."));
        }
        assertThat(authority.queriedNames()).contains(ALLOWED + ".").doesNotContain(DENIED + ".");
    }

    /**
     * Sends a DNS query (type A) over TCP to the enforcer's upstream ({@value FakeInternet#HOST_SIDE}:53) from the
     * policed pod's workload as {@code uid}, with busybox {@code nc}, and returns the reply. Were the query not
     * redirected to the interceptor, the upstream would answer it (a denied name with its address) and record it as
     * a TCP query.
     */
    private Message tcpQuery(String uid, String name) {
        byte[] query = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromConstantString(name + "."), Type.A,
                DClass.IN)).toWire();
        StringBuilder octal = new StringBuilder();
        byte[] framed = new byte[query.length + 2];
        framed[0] = (byte) (query.length >> 8);
        framed[1] = (byte) query.length;
        System.arraycopy(query, 0, framed, 2, query.length);
        for (byte b : framed) {
            octal.append(String.format("\\%03o", b & 0xff));
        }
        CommandResult r = run("podman", "exec", "--user", uid, workload(policed), "sh", "-c",
                "printf '" + octal + "' | nc -w 3 " + FakeInternet.HOST_SIDE + " 53 | od -An -v -tx1");
        byte[] reply = HexFormat.of().parseHex(r.stdout().replaceAll("\\s", ""));
        assertThat(reply.length).as("a reply to the TCP query for " + name + " (" + r.stderr() + ")")
                .isGreaterThan(2);
        try {
            return new Message(java.util.Arrays.copyOfRange(reply, 2, reply.length));
        } catch (IOException e) {
            throw new AssertionError("the reply over TCP for " + name + " is not a DNS message: "
                    + HexFormat.of().formatHex(reply), e);
        }
    }

    @Test
    void everyDecisionReachesTheEgressLogThroughTheEnforcersLog() {
        resolveAllowed(policed);
        sh(policed, "nslookup " + DENIED);

        Instant deadline = Instant.now().plus(STEP);
        while (!(hasDecision(policedLog, ALLOWED, EgressEvent.Verdict.ALLOWED)
                && hasDecision(policedLog, DENIED, EgressEvent.Verdict.DENIED)) && Instant.now().isBefore(deadline)) {
            pause(100);
        }

        assertThat(policedLog.events()).anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                && d.qname().equals(ALLOWED + ".") && d.verdict() == EgressEvent.Verdict.ALLOWED
                && d.answers().contains(FakeInternet.ALLOWED_IP));
        assertThat(policedLog.events()).anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                && d.qname().equals(DENIED + ".") && d.verdict() == EgressEvent.Verdict.DENIED
                && d.rcode().equals("NXDOMAIN") && d.answers().isEmpty());
    }

    private static boolean hasDecision(EgressRecorder log, String name, EgressEvent.Verdict verdict) {
        return log.events().stream().anyMatch(e -> e instanceof EgressEvent.DnsDecision d
                && d.qname().equals(name + ".") && d.verdict() == verdict);
    }

    @Test
    void killingTheEnforcerClosesDnsAndWithinItsHeartbeatEveryLearnedAddressLeavingOnlyCidrRules()
            throws IOException {
        // given: a policed pod that works (positive control before the kill)
        String pod = play(Sandbox.builder().image(TestImages.busybox()).egress(policy()).build());
        resolveAllowed(pod);
        assertThat(get(pod, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);

        // when
        run("podman", "kill", "--signal", "KILL", enforcer(pod)).requireSuccess();
        int mark = internet.mark();
        CommandResult late = sh(pod, "nslookup " + LATE);
        Instant deadline = Instant.now().plus(STEP);
        CommandResult learned;
        do {
            pause(500);
            learned = get(pod, FakeInternet.ALLOWED_IP, 80);
        } while (learned.stdout().contains("hello from") && Instant.now().isBefore(deadline));
        int afterCutOff = internet.mark();
        CommandResult learnedAgain = get(pod, FakeInternet.ALLOWED_IP, 80);
        CommandResult lateAddress = get(pod, FakeInternet.DENIED_IP, 80);
        CommandResult cidr = get(pod, FakeInternet.CIDR_IP, 80);

        // then: no DNS, the learned address stopped long before its TTL (60 s) plus grace would end it, and only the
        // CIDR rule still lets the workload out
        assertThat(run("podman", "container", "inspect", "--format", "{{.State.Status}}", workload(pod)).stdout()
                .strip()).isEqualTo("running");
        assertThat(late.stdout()).doesNotContain(FakeInternet.DENIED_IP);
        assertThat(authority.queriedNames()).doesNotContain(LATE + ".");
        assertThat(learned.stdout()).doesNotContain("hello from");
        assertThat(learnedAgain.stdout()).doesNotContain("hello from");
        assertThat(internet.seenSince(afterCutOff, "tcp", FakeInternet.ALLOWED_IP, 80)).isEmpty();
        assertThat(lateAddress.stdout()).doesNotContain("hello from");
        assertThat(internet.seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
        assertThat(cidr.stdout()).contains("hello from " + FakeInternet.CIDR_IP + ":80");
    }
}
