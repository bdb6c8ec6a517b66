package dev.sandbox4j.egress.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The servers of the fake internet, run as their own JVM inside the test bed's network namespace. Arguments
 * are {@code tcp:IP:PORT} (answers any request with "hello from IP:PORT" as HTTP) and {@code udp:IP:PORT}
 * (receives datagrams). Every connection and datagram is reported on stdout, so the test can prove what did
 * and did not arrive. Prints {@code READY} once every socket listens; exits when stdin closes.
 */
public final class FakeServers {
    private FakeServers() {
    }

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            String[] p = arg.split(":");
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(p[1]), Integer.parseInt(p[2]));
            if (p[0].equals("tcp")) {
                ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(at);
                daemon(() -> serveTcp(server, p[1] + ":" + p[2]));
            } else {
                DatagramSocket socket = new DatagramSocket(at);
                daemon(() -> serveUdp(socket, p[1] + ":" + p[2]));
            }
        }
        report("READY");
        InputStream in = System.in;
        while (in.read() >= 0) {
            // run until the test closes our stdin
        }
        System.exit(0);
    }

    private static void serveTcp(ServerSocket server, String name) {
        while (true) {
            try {
                Socket s = server.accept();
                report("TCP " + name + " from " + s.getInetAddress().getHostAddress());
                daemon(() -> answer(s, name));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void answer(Socket s, String name) {
        try (s) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            String body = "hello from " + name + "\n";
            String response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body;
            OutputStream out = s.getOutputStream();
            out.write((n < 0 ? body : response).getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the client went away; nothing to report
        }
    }

    private static void serveUdp(DatagramSocket socket, String name) {
        byte[] buf = new byte[65535];
        while (true) {
            try {
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                socket.receive(packet);
                report("UDP " + name + " from " + packet.getAddress().getHostAddress() + " " + packet.getLength());
            } catch (IOException e) {
                return;
            }
        }
    }

    private static synchronized void report(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
    }
}
