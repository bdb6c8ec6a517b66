package dev.sandbox4j.egress.internal.macos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.dns.TestAuthority;
import dev.sandbox4j.internal.apple.AppleContainerProvider;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One macOS egress session from prepare to close, against scripted stand-ins for {@code /sbin/pfctl} and
 * Apple's {@code container} (real executables run through the real {@link CommandRunner}; both log to one
 * calls.log, so their relative order is visible) and a real DNS interceptor on loopback with a real upstream
 * ({@link TestAuthority}). What this proves: the order of operations, the pfctl argument lists, fail-closed
 * reactions, and that answers wait for the pf table. What it cannot prove: that macOS pf accepts and enforces
 * the rules (see docs/egress.md, "Enforcement on macOS").
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the stand-ins are bash scripts")
class MacEgressLifecycleTest {
    private static final String NAME = "sb4j-mac01";
    private static final String ANCHOR = "com.apple/000.sandbox4j." + NAME;
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private TestAuthority upstream;
    private MutableClock clock;
    private RuntimeBackend backend;
    private MacEgressSession session;

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-08-20T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private Path install(String resource, String as) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/macos/" + resource)) {
            Path p = tmp.resolve(as);
            Files.write(p, in.readAllBytes());
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        }
    }

    @BeforeEach
    void standIns() throws IOException {
        Path container = install("fake-container.sh", "container");
        Path pfctl = install("fake-pfctl.sh", "pfctl");
        System.setProperty(AppleContainerProvider.CLI_PROPERTY, container.toString());
        System.setProperty(AppleContainerProvider.HOST_CHECKS_PROPERTY, "false");
        System.setProperty(MacEgressProvider.PFCTL_PROPERTY, pfctl.toString());
        upstream = TestAuthority.withZone();
        clock = new MutableClock();
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (session != null) {
            session.close();
        }
        upstream.close();
        System.clearProperty(AppleContainerProvider.CLI_PROPERTY);
        System.clearProperty(AppleContainerProvider.HOST_CHECKS_PROPERTY);
        System.clearProperty(MacEgressProvider.PFCTL_PROPERTY);
        assertThat(read("failures")).as("calls the stand-ins did not expect").isEmpty();
    }

    private String read(String file) {
        try {
            Path p = tmp.resolve(file);
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void touch(String file) throws IOException {
        Files.writeString(tmp.resolve(file), "");
    }

    /** calls.log without timestamps. */
    private List<String> calls() {
        return read("calls.log").lines().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    }

    private int indexOf(String prefix) {
        List<String> c = calls();
        for (int i = 0; i < c.size(); i++) {
            if (c.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no call starting with \"" + prefix + "\" in\n" + String.join("\n", c));
    }

    private EgressPolicy policy() {
        return EgressPolicy.denyAll().allow("www.test.sandbox4j.example").allow("dual.test.sandbox4j.example", 443)
                .withUpstream(upstream.address());
    }

    private SandboxSpec spec() {
        return dev.sandbox4j.Sandbox.builder().image("docker.io/library/alpine:latest").egress(policy()).build();
    }

    private MacEgressProvider provider() {
        return new MacEgressProvider(CommandRunner.system(), new MacEgressSession.Settings(clock, Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(5)));
    }

    private void prepare() {
        backend = new AppleContainerProvider().create(HostEnvironment.current(), CommandRunner.system());
        session = (MacEgressSession) provider().prepare(spec(), backend, NAME, Map.of("dev.sandbox4j.owner", "test"));
    }

    private ContainerInfo start() {
        return backend.start(new LaunchRequest(spec(), "docker.io/library/alpine:latest", NAME, Map.of(),
                session.network(), session.dns(), session.capDrop()), T);
    }

    private Path table(String table) {
        return tmp.resolve("pf-state/anchors/" + ANCHOR.replace('/', '_') + ".t." + table);
    }

    private static Message ask(InetSocketAddress server, String name) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(TestAuthority.name(name)), Type.A, DClass.IN));
        byte[] out = q.toWire();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(10_000);
            s.send(new DatagramPacket(out, out.length, server));
            DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
            s.receive(p);
            return new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        }
    }

    @Test
    void rulesAreLoadedAndReadBackBeforeTheContainerStartsWithTheGatewayAsDnsAndNoNetAdmin() {
        // given
        prepare();

        // when
        ContainerInfo info = start();
        session.attached(info, backend);

        // then
        int create = indexOf("container network create");
        int enable = indexOf("pfctl -E");
        int load = indexOf("pfctl -a " + ANCHOR + " -f -");
        int readBack = indexOf("pfctl -a " + ANCHOR + " -s rules");
        int run = indexOf("container run");
        assertThat(List.of(create, enable, load, readBack, run)).isSorted();
        assertThat(calls().subList(run + 1, calls().size())).as("read back again after the start")
                .contains("pfctl -a " + ANCHOR + " -s nat", "pfctl -a " + ANCHOR + " -s rules");
        assertThat(calls().get(run)).contains("--network " + NAME, "--dns 192.168.65.1", "--cap-drop NET_ADMIN",
                "--cap-drop NET_RAW");
        assertThat(read("pf-state/anchors/" + ANCHOR.replace('/', '_')))
                .contains("rdr inet proto udp from 192.168.65.0/24 to any port 53 -> 127.0.0.1 port "
                        + session.interceptorAddress().getPort());
        assertThat(session.dns()).containsExactly("192.168.65.1");
    }

    @Test
    void closeFlushesTheAnchorKillsStatesReleasesTheTokenAndRemovesTheNetworkInThatOrder() throws IOException {
        // given
        prepare();
        session.attached(start(), backend);
        int before = calls().size();

        // when
        session.close();
        session.close();

        // then
        assertThat(calls().subList(before, calls().size())).containsExactly(
                "pfctl -a " + ANCHOR + " -F nat",
                "pfctl -a " + ANCHOR + " -F rules",
                "pfctl -a " + ANCHOR + " -F Tables",
                "pfctl -k 192.168.65.0/24",
                "pfctl -X 17465281834372450001",
                "container network delete " + NAME);
        assertThat(read("pf-state/tokens")).isEmpty();
        assertThat(read("pf-state/anchors/" + ANCHOR.replace('/', '_'))).as("no rule or table left")
                .doesNotContain("rdr ", "pass ", "block ", "table <");
    }

    @Test
    void anAllowedAnswerIsReleasedOnlyAfterItsAddressIsInThePfTable() throws IOException {
        // given
        prepare();
        session.attached(start(), backend);

        // when
        Message answer = ask(session.interceptorAddress(), "www");
        long received = Instant.now().toEpochMilli();

        // then
        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).extracting(r -> ((ARecord) r).getAddress().getHostAddress())
                .containsExactly("192.0.2.10");
        assertThat(Files.readAllLines(table(PfRuleset.ANY_TABLE))).containsExactly("192.0.2.10");
        String add = read("calls.log").lines().filter(l -> l.contains("-t sb4j_any -T add 192.0.2.10")).findFirst()
                .orElseThrow();
        long addedMillis = Long.parseLong(add.substring(0, add.indexOf(' '))) / 1_000_000;
        assertThat(addedMillis).isLessThanOrEqualTo(received);
    }

    @Test
    void anAnswerIsWithheldWhenItsAddressCannotBePutInThePfTable() throws IOException {
        // given
        prepare();
        session.attached(start(), backend);
        touch("fail-table-add");

        // when
        Message answer = ask(session.interceptorAddress(), "www");

        // then
        assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(answer.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aPortRestrictedNameGoesToItsPortTableAndADeniedNameNeverReachesPf() throws IOException {
        // given
        prepare();
        session.attached(start(), backend);

        // when
        Message dual = ask(session.interceptorAddress(), "dual");
        Message secret = ask(session.interceptorAddress(), "secret");

        // then
        assertThat(dual.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Files.readAllLines(table(PfRuleset.portTable(443)))).containsExactly("198.51.100.20");
        assertThat(secret.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(read("calls.log")).doesNotContain("192.0.2.99");
    }

    @Test
    void aLearnedAddressLeavesItsTableAtTtlPlusGrace() throws IOException {
        // given: www has TTL 60 s
        prepare();
        session.attached(start(), backend);
        ask(session.interceptorAddress(), "www");

        // when
        clock.advance(Duration.ofSeconds(60).plus(MacEgressSession.GRACE).minusSeconds(1));
        session.expireDue();
        List<String> stillThere = Files.readAllLines(table(PfRuleset.ANY_TABLE));
        clock.advance(Duration.ofSeconds(1));
        session.expireDue();

        // then
        assertThat(stillThere).containsExactly("192.0.2.10");
        assertThat(Files.readAllLines(table(PfRuleset.ANY_TABLE))).isEmpty();
        assertThat(calls()).contains("pfctl -a " + ANCHOR + " -t sb4j_any -T delete 192.0.2.10");
        assertThat(session.learnedEntries()).isZero();
    }

    @Test
    void theStartIsRefusedWhenPfRulesVanishAsTheContainerStarts() throws IOException {
        // given: the stand-in wipes the anchors on `run`, as a pf reload by vmnet would
        prepare();
        touch("reset-pf-on-run");
        ContainerInfo info = start();

        // when / then
        assertThatThrownBy(() -> session.attached(info, backend)).isInstanceOf(SandboxStartException.class)
                .hasMessageContaining("not in force after the container started")
                .hasMessageContaining("sb4j-default");
    }

    @Test
    void aRunningSandboxIsRemovedAndGetsNoMoreAnswersWhenTheAnchorPointDisappears() throws IOException {
        // given
        prepare();
        session.attached(start(), backend);
        Message before = ask(session.interceptorAddress(), "www");
        touch("main-reset");

        // when
        session.checkHealth();
        Message after = ask(session.interceptorAddress(), "dual");

        // then
        assertThat(before.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(session.failure()).hasValueSatisfying(f -> assertThat(f).contains("anchor \"com.apple/*\""));
        assertThat(calls()).contains("container delete --force " + NAME);
        assertThat(after.getRcode()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    void aDnsAnswerAfterTheRulesVanishedIsWithheldEvenBeforeTheNextHealthCheck() throws IOException {
        // given
        prepare();
        session.attached(start(), backend);
        Files.delete(tmp.resolve("pf-state/anchors/" + ANCHOR.replace('/', '_')));
        clock.advance(Duration.ofSeconds(2));

        // when
        Message answer = ask(session.interceptorAddress(), "www");

        // then
        assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(session.failure()).isPresent();
    }

    @Test
    void aFailedLoadLeavesNoTokenNoAnchorAndNoNetwork() throws IOException {
        // given
        touch("fail-load");
        backend = new AppleContainerProvider().create(HostEnvironment.current(), CommandRunner.system());

        // when / then
        assertThatThrownBy(() -> provider().prepare(spec(), backend, NAME, Map.of()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("Syntax error");
        assertThat(calls()).contains("pfctl -X 17465281834372450001", "container network delete " + NAME)
                .noneMatch(c -> c.startsWith("container run"));
        assertThat(read("pf-state/tokens")).isEmpty();
    }

    @Test
    void containerOlderThanZeroTwelveIsRefusedBecauseItCannotDropNetAdmin() throws IOException {
        // given
        Files.writeString(tmp.resolve("container-version"), "0.11.0\n");
        backend = new AppleContainerProvider().create(HostEnvironment.current(), CommandRunner.system());

        // when
        boolean supported = provider().supports(backend, HostEnvironment.current());

        // then
        assertThat(supported).isFalse();
        assertThat(provider().unsupportedReason(backend, HostEnvironment.current()))
                .contains("needs container 0.12.0 or later").contains("found 0.11.0");
        assertThatThrownBy(() -> provider().prepare(spec(), backend, NAME, Map.of()))
                .hasMessageContaining("0.12.0");
        assertThat(calls()).noneMatch(c -> c.startsWith("pfctl") || c.startsWith("container network"));
    }

    @Test
    void theProviderIsFoundByServiceLoaderAndPolicesOnlyAppleContainer() {
        // given
        backend = new AppleContainerProvider().create(HostEnvironment.current(), CommandRunner.system());

        // when
        Optional<MacEgressProvider> found = Stream.of(java.util.ServiceLoader.load(
                dev.sandbox4j.spi.EgressProvider.class).stream().map(java.util.ServiceLoader.Provider::get)
                .toArray()).filter(MacEgressProvider.class::isInstance).map(MacEgressProvider.class::cast).findFirst();

        // then
        assertThat(found).isPresent();
        assertThat(found.get().supports(backend, HostEnvironment.current())).isTrue();
    }
}
