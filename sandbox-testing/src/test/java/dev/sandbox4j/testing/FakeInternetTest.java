package dev.sandbox4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake internet for real: a network namespace, a veth pair and routes, reached from the host. Needs root (skipped
 * with the reason otherwise, failing when {@code SANDBOX4J_REQUIRE_RUNTIME} is set), and one bed at a time per host:
 * run it under {@code flock /tmp/sb4j-testbed.lock}. The bad-input tests need no root.
 */
class FakeInternetTest {
    private static final Duration STEP = Duration.ofSeconds(30);
    /** How long a positive control may take to show in the record (it trails the client by a moment). */
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static void requireRoot() {
        Optional<String> unavailable = FakeInternet.unavailableReason();
        if (unavailable.isPresent()) {
            if (System.getenv("SANDBOX4J_REQUIRE_RUNTIME") != null) {
                throw new IllegalStateException(unavailable.get());
            }
            Assumptions.abort(unavailable.get());
        }
    }

    private static CommandResult host(String... argv) {
        return CommandRunner.system().run(Command.of(List.of(argv), STEP));
    }

    /** Sends a line and reads the whole reply; the connection is closed by the server. */
    private static String request(String address, int port, String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void anEchoServerAnswersFromTheHostAndRecordsTheConnectionWhileAPortWithoutServerRefuses() throws Exception {
        // given
        requireRoot();
        try (FakeInternet internet = FakeInternet.builder().echo("203.0.113.140", 80).start()) {
            int mark = internet.mark();

            // when
            String reply = request("203.0.113.140", 80, "GET / HTTP/1.0\r\n\r\n");

            // then
            assertThat(reply).startsWith("HTTP/1.0 200 OK").endsWith("hello from 203.0.113.140:80\n");
            assertThat(internet.awaitSeen(mark, "tcp", "203.0.113.140", 80, 1, WAIT)).singleElement()
                    .asString().startsWith("TCP 203.0.113.140:80 from " + internet.hostSide());
            assertThatThrownBy(() -> request("203.0.113.140", 81, "x")).isInstanceOf(ConnectException.class);
            assertThat(internet.seenSince(mark, "tcp", "203.0.113.140", 81)).isEmpty();
            assertThat(internet.addresses()).containsExactly("203.0.113.140");
            assertThat(internet.netns()).matches("sb4j-inet-" + ProcessHandle.current().pid() + "-[0-9a-f]{6}");
        }
    }

    @Test
    void aUdpReceiverRecordsEachDatagramWithItsLength() throws Exception {
        // given
        requireRoot();
        try (FakeInternet internet = FakeInternet.builder().udp("203.0.113.141", 443).echo("203.0.113.141", 80).start();
             DatagramSocket socket = new DatagramSocket()) {
            int mark = internet.mark();

            // when
            socket.send(new DatagramPacket(new byte[29], 29, InetAddress.getByName("203.0.113.141"), 443));

            // then
            assertThat(internet.awaitSeen(mark, "udp", "203.0.113.141", 443, 1, WAIT)).singleElement()
                    .asString().endsWith(" 29");
            assertThat(internet.seenSince(mark, "tcp", "203.0.113.141", 80)).isEmpty();
        }
    }

    @Test
    void aWebServerServesItsDocrootAndRecordsEachRequest() throws Exception {
        // given
        requireRoot();
        Files.writeString(dir.resolve("index.html"), "{\"forecast\": \"sunny\"}\n");
        try (FakeInternet internet = FakeInternet.builder().web(dir).start()) {
            String address = internet.addresses().get(0);

            // when
            String found = request(address, 80, "GET / HTTP/1.0\r\nHost: api\r\n\r\n");
            String missing = request(address, 80, "GET /../../etc/passwd HTTP/1.0\r\n\r\n");

            // then
            assertThat(address).matches("203\\.0\\.113\\.(1[2-9][0-9]|2[0-5][0-9])");
            assertThat(found).startsWith("HTTP/1.0 200 OK").endsWith("\r\n\r\n{\"forecast\": \"sunny\"}\n");
            assertThat(missing).startsWith("HTTP/1.0 404");
            assertThat(internet.awaitSeen(0, "http", address, 80, 2, WAIT)).hasSize(2)
                    .anySatisfy(l -> assertThat(l).endsWith("GET / 200"))
                    .anySatisfy(l -> assertThat(l).endsWith("GET /../../etc/passwd 404"));
        }
    }

    @Test
    void closeRemovesTheNamespaceTheLinkTheRoutesAndTheServers() throws Exception {
        // given
        requireRoot();
        FakeInternet internet = FakeInternet.builder().route("203.0.113.144/30").echo("203.0.113.142", 80).start();
        String netns = internet.netns();
        String veth = "sb4jh" + netns.substring(netns.lastIndexOf('-') + 1);
        String servers = host("ip", "netns", "pids", netns).stdout().strip();
        assertThat(host("ip", "route", "show", "203.0.113.144/30").stdout()).contains(veth);
        assertThat(servers).isNotEmpty();

        // when
        internet.close();
        internet.close();

        // then
        assertThat(host("ip", "netns", "list").stdout()).doesNotContain(netns);
        assertThat(host("ip", "link", "show", veth).exitCode()).isNotZero();
        assertThat(host("ip", "route", "show", "203.0.113.142").stdout()).isBlank();
        assertThat(host("ip", "route", "show", "203.0.113.144/30").stdout()).isBlank();
        for (String pid : servers.split("\\s+")) {
            assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive)).as("pid " + pid)
                    .isNotEqualTo(Optional.of(true));
        }
    }

    @Test
    void startingRemovesTheBedOfAnOwnerThatDied() throws Exception {
        // given
        requireRoot();
        long dead = deadPid();
        String leftover = "sb4j-inet-" + dead + "-abc123";
        host("ip", "netns", "add", leftover);
        host("ip", "link", "add", "sb4jhabc123", "type", "veth", "peer", "name", "sb4jiabc123", "netns", leftover);
        assertThat(host("ip", "netns", "list").stdout()).contains(leftover);

        // when
        try (FakeInternet internet = FakeInternet.builder().echo("203.0.113.143", 80).start()) {

            // then
            assertThat(host("ip", "netns", "list").stdout()).doesNotContain(leftover).contains(internet.netns());
            assertThat(host("ip", "link", "show", "sb4jhabc123").exitCode()).isNotZero();
        } finally {
            host("ip", "link", "del", "sb4jhabc123");
            host("ip", "netns", "del", leftover);
        }
    }

    /** The id of a process that has ended. */
    private static long deadPid() throws InterruptedException {
        try (RunningCommand p = CommandRunner.system().start(Command.builder(List.of("true")).build())) {
            long pid = p.pid();
            p.waitFor(STEP);
            return pid;
        }
    }

    @Test
    void aBedPreparedByAnotherProcessIsAttachedToAndOutlivesTheAttachedHandle() throws Exception {
        // given: the standard layout, prepared by a JVM of its own as rootless-tests.sh does
        requireRoot();
        Path bed = dir.resolve("bed");
        List<String> argv = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), FakeInternet.class.getName(), bed.toString());
        try (RunningCommand preparer = CommandRunner.system().start(Command.builder(argv).build())) {
            InputStream out = preparer.stdout();
            String ready = new String(out.readNBytes(11), StandardCharsets.US_ASCII);
            assertThat(ready).as("the preparer's first output").isEqualTo("READY sb4j-");
            FakeInternet attached = FakeInternet.attach(bed);
            int mark = attached.mark();

            // when
            String reply = request(FakeInternet.ALLOWED_IP, 80, "GET / HTTP/1.0\r\n\r\n");
            attached.close();

            // then
            assertThat(reply).endsWith("hello from " + FakeInternet.ALLOWED_IP + ":80\n");
            assertThat(attached.awaitSeen(mark, "tcp", FakeInternet.ALLOWED_IP, 80, 1, WAIT)).hasSize(1);
            assertThat(attached.seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).isEmpty();
            assertThat(attached.hostSide()).isEqualTo(FakeInternet.HOST_SIDE);
            assertThat(host("ip", "netns", "list").stdout()).as("closing an attached bed leaves it")
                    .contains(attached.netns());
            preparer.stdin().close();
            assertThat(preparer.waitFor(STEP)).hasValue(0);
            assertThat(host("ip", "netns", "list").stdout()).as("the preparer removes it when its stdin closes")
                    .doesNotContain(attached.netns());
        }
    }

    @Test
    void attachingWhereNoBedWasPreparedSaysHowToPrepareOne() {
        // given
        Path empty = dir;

        // when / then
        assertThatThrownBy(() -> FakeInternet.attach(empty)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("no prepared fake internet in " + empty)
                .hasMessageContaining("java -cp CLASSPATH dev.sandbox4j.testing.FakeInternet");
    }

    @Test
    void addressesOutsideTheDocumentationRangesAreRefusedWithTheFix() {
        // given
        FakeInternet.Builder b = FakeInternet.builder();

        // when / then
        assertThatThrownBy(() -> b.echo("8.8.8.8", 53)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("outside the fake internet's ranges").hasMessageContaining("203.0.113.10");
        assertThatThrownBy(() -> b.route("10.0.0.0/8")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("outside the fake internet's ranges");
        assertThatThrownBy(() -> b.route("203.0.113.0/16")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("did you mean 203.0.0.0/16");
        assertThatThrownBy(() -> b.route("203.0.113.0")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("ADDRESS/PREFIX");
        assertThatThrownBy(() -> b.udp("example.com", 53)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("not an IPv4 literal");
    }

    @Test
    void badLinksPortsAndDocrootsAreRefusedWithTheFix() {
        // given
        FakeInternet.Builder b = FakeInternet.builder().echo("203.0.113.150", 80);

        // when / then
        assertThatThrownBy(() -> b.link("198.51.100.1", "198.51.100.5")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("two usable addresses of one /30");
        assertThatThrownBy(() -> b.echo("203.0.113.150", 80)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("has a server already");
        assertThatThrownBy(() -> b.echo("203.0.113.150", 70000)).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("give 1 to 65535");
        assertThatThrownBy(() -> b.web(dir.resolve("missing"))).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> FakeInternet.builder().start()).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("add one with echo(), udp() or web()");
    }

    @Test
    void aSecondStandardBedOnTheHostIsAConfigErrorThatNamesTheClashAndMakesNothing() throws Exception {
        // given
        requireRoot();
        try (FakeInternet first = FakeInternet.standard().start()) {
            String before = host("ip", "netns", "list").stdout();

            // when / then
            assertThatThrownBy(() -> FakeInternet.standard().start()).isInstanceOf(SandboxConfigException.class)
                    .hasMessageContaining("belongs to another fake internet on this host")
                    .hasMessageContaining("one standard bed per host");
            assertThat(host("ip", "netns", "list").stdout()).isEqualTo(before);
            assertThat(request(FakeInternet.ALLOWED_IP, 80, "hi\n")).contains("hello from 203.0.113.10:80");
            assertThat(first.awaitSeen(0, "tcp", FakeInternet.ALLOWED_IP, 80, 1, WAIT)).hasSize(1);
        }
    }
}
