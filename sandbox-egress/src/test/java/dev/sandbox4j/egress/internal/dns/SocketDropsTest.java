package dev.sandbox4j.egress.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel's per-socket drop counter, read from /proc for a real socket of this JVM (Linux only). */
class SocketDropsTest {
    @BeforeEach
    void linuxOnly() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/net/udp")),
                "the per-socket drop counter is shown by Linux only");
    }

    @Test
    void aSocketNobodyReadsCountsTheDatagramsItsFullBufferDropped() throws IOException {
        // given: a bound socket with the smallest buffer, never read, and one that is not full
        try (DatagramSocket full = new DatagramSocket(null);
                DatagramSocket idle = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket sender = new DatagramSocket()) {
            full.setReceiveBufferSize(1);
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketDrops fullDrops = SocketDrops.find(full.getLocalPort()).orElseThrow();
            SocketDrops idleDrops = SocketDrops.find(idle.getLocalPort()).orElseThrow();
            byte[] data = new byte[100];

            // when
            for (int i = 0; i < 200; i++) {
                sender.send(new DatagramPacket(data, data.length, full.getLocalSocketAddress()));
            }
            sender.send(new DatagramPacket(data, data.length, idle.getLocalSocketAddress()));

            // then (delivery on loopback may finish in a softirq just after send returns)
            long dropped = 0;
            for (int i = 0; i < 40 && dropped == 0; i++) {
                dropped = fullDrops.drops().orElseThrow();
                sleep(50);
            }
            assertThat(dropped).isPositive().isLessThanOrEqualTo(200);
            assertThat(idleDrops.drops().orElseThrow()).as("positive control: its datagram was queued").isZero();
        }
    }

    @Test
    void aPortWithoutASocketOfThisProcessIsNotFound() throws IOException {
        int port;
        try (DatagramSocket gone = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = gone.getLocalPort();
            assertThat(SocketDrops.find(port)).as("positive control: found while open").isPresent();
        }

        Optional<SocketDrops> found = SocketDrops.find(port);

        assertThat(found).isEmpty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
