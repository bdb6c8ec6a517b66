package dev.sandbox4j.egress.testbed;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;

/**
 * Sends COUNT small UDP datagrams to IP:PORT, each from a new socket (so each is a new connection-tracking
 * entry), as fast as it can; run by tests inside a sandbox's network namespace to flood it the way a workload
 * could. Prints the number sent. Arguments: {@code IP PORT COUNT}.
 */
public final class UdpSpray {
    private UdpSpray() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress to = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        byte[] query = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1};
        int sent = 0;
        for (int i = 0; i < count; i++) {
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(query, query.length, to, port));
                sent++;
            } catch (java.io.IOException e) {
                // a dropped datagram may come back as an error on the socket; keep spraying
            }
        }
        System.out.println(sent);
    }
}
