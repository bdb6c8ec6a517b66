package dev.sandbox4j.egress.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.HostAddressSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM end of the relay on a real unix socket. TCP to port 53 goes to the "interceptor" address whatever the
 * destination, which lets these tests put a line-echo server on loopback there and speak through the relay as
 * the guest would.
 */
class RelayServerTest {
    @TempDir
    Path dir;
    private ServerSocket echo;
    private RelayServer server;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread c = new Thread(() -> lineEcho(s));
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        RelayDecisions decisions = new RelayDecisions(EgressPolicy.denyAll(), HostAddressSource.NONE,
                Clock.systemUTC(), Duration.ofSeconds(120));
        server = new RelayServer("test", dir.resolve("relay.sock"), decisions,
                (InetSocketAddress) echo.getLocalSocketAddress()).start();
    }

    /** Answers each line at once, without waiting for the end of the input: an interactive protocol. */
    private static void lineEcho(Socket s) {
        try (s; BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                w.println("echo " + line);
            }
        } catch (IOException e) {
            // client gone
        }
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        echo.close();
    }

    private SocketChannel connect(String ip, int port) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(server.socket()));
        Channels.newOutputStream(ch).write(RelayProtocol.request(new RelayProtocol.Connect(
                new InetSocketAddress(InetAddress.getByName(ip), port))));
        return ch;
    }

    @Test
    void aRelayedConnectionCarriesAnInteractiveExchangeBothWays() throws Exception {
        // given
        try (SocketChannel ch = connect("203.0.113.53", 53)) {
            RelayProtocol.Reply reply = RelayProtocol.readReply(Channels.newInputStream(ch));
            OutputStream out = Channels.newOutputStream(ch);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                    StandardCharsets.UTF_8));

            // when: each line waits for its answer while the connection stays open both ways
            CompletableFuture<String> exchange = CompletableFuture.supplyAsync(() -> {
                try {
                    out.write("one\n".getBytes(StandardCharsets.UTF_8));
                    String first = in.readLine();
                    out.write("two\n".getBytes(StandardCharsets.UTF_8));
                    return first + "|" + in.readLine();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            // then
            assertThat(reply.status()).isEqualTo(RelayProtocol.OK);
            assertThat(exchange.get(10, TimeUnit.SECONDS)).isEqualTo("echo one|echo two");
        }
    }

    @Test
    void aConnectionOutsideThePolicyIsDeniedWithTheReasonWhileDnsOverTcpIsRelayed() throws IOException {
        // given
        long deniedBefore = server.counters().denied();

        // when
        RelayProtocol.Reply denied;
        try (SocketChannel ch = connect("203.0.113.11", 80)) {
            denied = RelayProtocol.readReply(Channels.newInputStream(ch));
        }
        RelayProtocol.Reply dns;
        try (SocketChannel ch = connect("203.0.113.11", 53)) {
            dns = RelayProtocol.readReply(Channels.newInputStream(ch));
        }

        // then
        assertThat(denied.status()).isEqualTo(RelayProtocol.DENIED);
        assertThat(new String(denied.payload(), StandardCharsets.UTF_8)).contains("203.0.113.11:80");
        assertThat(server.counters().denied()).isEqualTo(deniedBefore + 1);
        assertThat(dns.status()).as("positive control").isEqualTo(RelayProtocol.OK);
    }

    @Test
    void aFrameThatIsNotOursGetsBadRequest() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(server.socket()));
            Channels.newOutputStream(ch).write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            RelayProtocol.Reply reply = RelayProtocol.readReply(Channels.newInputStream(ch));

            assertThat(reply.status()).isEqualTo(RelayProtocol.BAD_REQUEST);
            assertThat(server.counters().badRequests()).isEqualTo(1);
        }
    }

    @Test
    void closingTheServerEndsRelayedConnectionsAndRemovesTheSocket() throws Exception {
        try (SocketChannel ch = connect("203.0.113.53", 53)) {
            assertThat(RelayProtocol.readReply(Channels.newInputStream(ch)).status()).isEqualTo(RelayProtocol.OK);

            server.close();

            assertThat(Channels.newInputStream(ch).read()).isEqualTo(-1);
            assertThat(server.socket()).doesNotExist();
        }
    }
}
