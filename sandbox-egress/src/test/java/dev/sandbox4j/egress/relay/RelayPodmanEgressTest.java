package dev.sandbox4j.egress.relay;

import static dev.sandbox4j.egress.linux.EgressTestBed.ALLOWED;
import static dev.sandbox4j.egress.linux.EgressTestBed.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import dev.sandbox4j.egress.internal.relay.RelayEgress;
import dev.sandbox4j.egress.linux.EgressTestBed;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.testing.FakeInternet;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The data path of macOS egress control, run for real on Linux: the amd64 build of the guest piece (init setup
 * + relay) in a Podman container without a NIC, a workload without NET_ADMIN/NET_RAW in its network namespace,
 * and the JVM side ({@link RelayEgress}: relay socket, DNS interceptor, decisions) in this JVM, opening
 * connections into a fake internet (TEST-NET addresses in a network namespace of its own). Every negative probe
 * is paired with a positive control in the same setup. Run under {@code flock /tmp/sb4j-testbed.lock}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayPodmanEgressTest {
    private EgressTestBed bed;
    private EgressRecorder recorder;
    private RelayEgress relay;
    private ServerSocketChannel decoy;
    private GuestPair pair;

    @BeforeAll
    void startTestBed() throws IOException {
        bed = EgressTestBed.start();
        recorder = new EgressRecorder("relay-test");
        relay = RelayEgress.start(policy(), "relay-test", recorder, null);
        decoy = decoySocket(relay.socket().getParent());
        pair = GuestPair.start(relay.socket().getParent());
    }

    private EgressPolicy policy() {
        return EgressPolicy.denyAll()
                .allow(ALLOWED)
                .allowCidr(FakeInternet.CIDR_IP + "/32", 80)
                .withUpstream(bed.authority().address());
    }

    /**
     * Another unix socket beside the relay's (in the VM, /run/sockets also holds e.g. the ssh-agent socket): it
     * accepts and hangs up, so the relay must find the right one by HELLO.
     */
    private static ServerSocketChannel decoySocket(Path dir) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(dir.resolve("0-decoy.sock")));
        Thread t = new Thread(() -> {
            while (s.isOpen()) {
                try (SocketChannel c = s.accept()) {
                    c.shutdownOutput();
                } catch (IOException e) {
                    return;
                }
            }
        }, "decoy-socket");
        t.setDaemon(true);
        t.start();
        return s;
    }

    @AfterAll
    void stopTestBed() throws IOException {
        if (pair != null) {
            pair.close();
        }
        if (decoy != null) {
            decoy.close();
            Files.deleteIfExists(relay.socket().getParent().resolve("0-decoy.sock"));
        }
        if (relay != null) {
            relay.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private static CommandResult get(GuestPair p, String ip, int port) {
        return p.exec("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " + port);
    }

    private void resolveAllowed(GuestPair p) {
        assertThat(p.exec("nslookup " + ALLOWED).stdout()).contains(FakeInternet.ALLOWED_IP);
    }

    @Test
    void allowedNameResolvesAndConnectsWhileADeniedNameIsNxdomainAndNeverReachesUpstream() {
        CommandResult allowed = pair.exec("nslookup " + ALLOWED);
        CommandResult connect = get(pair, FakeInternet.ALLOWED_IP, 80);
        CommandResult denied = pair.exec("nslookup " + DENIED);

        assertThat(allowed.stdout()).contains(FakeInternet.ALLOWED_IP);
        assertThat(connect.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
        assertThat(bed.authority().queriedNames()).contains(ALLOWED + ".").doesNotContain(DENIED + ".");
        assertThat(relay.log().events()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
                EgressEvent.DnsDecision.class, d -> assertThat(d.qname()).isEqualTo(DENIED + ".")));
    }

    @Test
    void aRawAddressThatWasNeverLearnedIsRefusedWhileALearnedOneConnects() {
        int mark = bed.internet().mark();
        resolveAllowed(pair);
        long deniedBefore = relay.counters().denied();

        CommandResult denied = get(pair, FakeInternet.DENIED_IP, 80);
        CommandResult allowed = get(pair, FakeInternet.ALLOWED_IP, 80);

        assertThat(allowed.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
        assertThat(denied.stdout()).as("accepted by the guest relay, then reset: never connected onwards")
                .doesNotContain("hello");
        assertThat(relay.counters().denied()).isGreaterThan(deniedBefore);
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 80)).isNotEmpty();
        assertThat(relay.log().events()).anySatisfy(e -> assertThat(e)
                .isInstanceOf(EgressEvent.DroppedConnections.class));
    }

    @Test
    void anAnswerArrivesWhileTheClientStillHoldsItsSideOpen() {
        // given: a client that sends its request and keeps writing side open (as TLS and HTTP keep-alive do); if
        // either relay waited for the client's end of input before passing the answer back, nothing would arrive
        // before the client is stopped
        resolveAllowed(pair);

        // when
        CommandResult open = pair.exec("(printf 'GET / HTTP/1.0\\r\\n\\r\\n'; sleep 6) | timeout 4 nc "
                + FakeInternet.ALLOWED_IP + " 80; true");

        // then
        assertThat(open.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
    }

    @Test
    void aCidrRuleOpensItsAddressOnItsPortOnly() {
        int mark = bed.internet().mark();

        CommandResult onPort = get(pair, FakeInternet.CIDR_IP, 80);
        CommandResult otherPort = get(pair, FakeInternet.CIDR_IP, 81);

        assertThat(onPort.stdout()).contains("hello from " + FakeInternet.CIDR_IP);
        assertThat(otherPort.stdout()).doesNotContain("hello");
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.CIDR_IP, 81)).isEmpty();
    }

    @Test
    void dnsSentToAnyOtherServerIsInterceptedNotForwarded() {
        int mark = bed.internet().mark();
        // 8.8.8.8 is safe here: the container has no NIC, so nothing can leave its namespace either way
        CommandResult allowed = pair.exec("nslookup " + ALLOWED + " " + FakeInternet.RESOLVER_IP);
        CommandResult denied = pair.exec("nslookup " + DENIED + " 8.8.8.8");

        assertThat(allowed.stdout()).as("answered by the interceptor: the fake resolver answers nothing")
                .contains(FakeInternet.ALLOWED_IP);
        assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
        assertThat(bed.internet().seenSince(mark, "udp", FakeInternet.RESOLVER_IP, 53)).isEmpty();
    }

    @Test
    void dnsOverTcpToAnyServerIsAnsweredByTheInterceptor() throws IOException {
        int mark = bed.internet().mark();
        byte[] query = Message.newQuery(Record.newRecord(Name.fromString(ALLOWED + "."), Type.A, DClass.IN))
                .toWire();
        StringBuilder octal = new StringBuilder(String.format("\\%03o\\%03o", query.length >> 8, query.length & 0xFF));
        for (byte b : query) {
            octal.append(String.format("\\%03o", b & 0xFF));
        }

        CommandResult r = pair.exec("printf '" + octal + "' | nc -w 3 " + FakeInternet.RESOLVER_IP
                + " 53 | od -An -tx1");

        assertThat(r.stdout().replaceAll("\\s+", " ")).as("the A record 203.0.113.10 in the answer")
                .contains("cb 00 71 0a");
        assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.RESOLVER_IP, 53)).isEmpty();
    }

    @Test
    void udpAndIcmpCannotLeaveWhileTcpToTheSameAddressDoes() {
        resolveAllowed(pair);
        int mark = bed.internet().mark();
        long dropsBefore = pair.guestDrops();

        CommandResult udp = pair.exec("echo probe > /tmp/probe; tftp -p -l /tmp/probe " + FakeInternet.ALLOWED_IP
                + " 443; echo rc=$?");
        CommandResult icmp = pair.exec("ping -c 1 -W 1 " + FakeInternet.ALLOWED_IP + "; echo rc=$?");
        CommandResult tcp = get(pair, FakeInternet.ALLOWED_IP, 443);

        assertThat(tcp.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
        assertThat(udp.stdout()).doesNotContain("rc=0");
        assertThat(icmp.stdout()).doesNotContain("rc=0");
        assertThat(bed.internet().seenSince(mark, "udp", FakeInternet.ALLOWED_IP, 443)).isEmpty();
        assertThat(pair.guestDrops()).as("the UDP datagram was dropped by the guest's rules")
                .isGreaterThan(dropsBefore);
    }

    @Test
    void theWorkloadCannotRemoveTheRedirectsNorSeeTheRelay() {
        String before = pair.guestRuleset();

        CommandResult route = pair.exec("ip route del default; echo rc=$?");
        CommandResult link = pair.exec("ip link set lo down; echo rc=$?");
        CommandResult ps = pair.exec("ps -o comm");
        CommandResult flush = pair.run(List.of("nsenter", "-t", pair.workloadPid(), "-n", "--", "setpriv",
                "--bounding-set", "-net_admin,-net_raw", "--inh-caps", "-all", "/usr/sbin/nft", "flush", "ruleset"));

        assertThat(route.stdout()).doesNotContain("rc=0");
        assertThat(link.stdout()).doesNotContain("rc=0");
        assertThat(flush.exitCode()).isNotZero();
        assertThat(flush.stderr()).containsIgnoringCase("Operation not permitted");
        assertThat(ps.stdout()).contains("sleep").doesNotContain("sb4j-guest");
        assertThat(pair.guestRuleset()).isEqualTo(before).contains("redirect to :10080");
        resolveAllowed(pair);
        assertThat(get(pair, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
    }

    @Test
    void asTheVmsInitTheGuestSetsUpRelaysAndHandsItsArgumentsToTheRealVminitd() {
        try (GuestPair init = GuestPair.startAsInit(relay.socket().getParent())) {
            int mark = bed.internet().mark();

            CommandResult args = init.execInVm("cat /tmp/vminitd-real-args");
            CommandResult lookup = init.exec("nslookup " + ALLOWED);
            CommandResult allowed = get(init, FakeInternet.ALLOWED_IP, 80);
            CommandResult denied = get(init, FakeInternet.DENIED_IP, 80);

            assertThat(args.stdout()).isEqualTo("--vminitd-flag value\n");
            assertThat(lookup.stdout()).contains(FakeInternet.ALLOWED_IP);
            assertThat(allowed.stdout()).contains("hello from " + FakeInternet.ALLOWED_IP);
            assertThat(denied.stdout()).doesNotContain("hello");
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
        }
    }

    @Test
    void killingTheRelayLeavesTheSandboxWithNoNetworkAtAll() {
        try (GuestPair own = GuestPair.start(relay.socket().getParent())) {
            resolveAllowed(own);
            assertThat(get(own, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            int mark = bed.internet().mark();

            // the stand-in for vminitd does not reap, so the killed relay stays a zombie: count the living
            CommandResult kill = own.execInVm("kill $(pidof sb4j-guest); sleep 0.5; "
                    + "echo living=$(ps -o stat,comm | grep sb4j-guest | grep -vc '^ *Z')");
            CommandResult lookup = own.exec("nslookup " + ALLOWED);
            CommandResult connect = get(own, FakeInternet.ALLOWED_IP, 80);

            assertThat(kill.stdout()).contains("living=0");
            assertThat(lookup.stdout()).doesNotContain(FakeInternet.ALLOWED_IP);
            assertThat(connect.stdout()).doesNotContain("hello");
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 80)).isEmpty();
        }
    }

    @Test
    void closingTheJvmSideLeavesTheSandboxWithNoNetworkAtAll() throws IOException {
        EgressRecorder ownRecorder = new EgressRecorder("relay-test-2");
        RelayEgress ownRelay = RelayEgress.start(policy(), "relay-test-2", ownRecorder, null);
        Path dir = ownRelay.socket().getParent();
        try (GuestPair own = GuestPair.start(dir)) {
            resolveAllowed(own);
            assertThat(get(own, FakeInternet.ALLOWED_IP, 80).stdout()).contains("hello from");
            int mark = bed.internet().mark();

            ownRelay.close();
            CommandResult lookup = own.exec("nslookup " + ALLOWED);
            CommandResult connect = get(own, FakeInternet.ALLOWED_IP, 80);

            assertThat(lookup.stdout()).doesNotContain(FakeInternet.ALLOWED_IP);
            assertThat(connect.stdout()).doesNotContain("hello");
            assertThat(bed.internet().seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 80)).isEmpty();
        } finally {
            ownRelay.close();
        }
    }
}
