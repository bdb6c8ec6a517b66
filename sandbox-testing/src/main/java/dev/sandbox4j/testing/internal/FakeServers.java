package dev.sandbox4j.testing.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The servers of a fake internet, run as a JVM of their own inside its network namespace (started with nothing
 * but this class's code location on the class path: it uses the JDK alone). Arguments, one server each:
 * <ul>
 *   <li>{@code tcp:IP:PORT}: answers any request with "hello from IP:PORT" (as HTTP when the client sent
 *       something, else as a bare line);</li>
 *   <li>{@code udp:IP:PORT}: receives datagrams;</li>
 *   <li>{@code web:IP:PORT:DIR}: serves the files under DIR over HTTP/1.0 ({@code index.html} for a directory).</li>
 * </ul>
 * Every connection, datagram and web request is reported on stdout ({@code TCP IP:PORT from SRC},
 * {@code UDP IP:PORT from SRC LENGTH}, {@code HTTP IP:PORT from SRC GET /PATH STATUS}), so a test can prove what did
 * and did not arrive. Prints {@code READY} once every socket listens, or {@code FAILED reason} and exits 1;
 * exits when stdin closes.
 */
public final class FakeServers {
    private FakeServers() {
    }

    /**
     * Starts the servers.
     *
     * @param args the servers, as above
     * @throws IOException if stdin cannot be read
     */
    public static void main(String[] args) throws IOException {
        for (String arg : args) {
            String[] p = arg.split(":", 4);
            try {
                InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(p[1]), Integer.parseInt(p[2]));
                String name = p[1] + ":" + p[2];
                switch (p[0]) {
                    case "tcp" -> {
                        ServerSocket server = listen(at);
                        daemon(() -> serveTcp(server, name, null));
                    }
                    case "web" -> {
                        ServerSocket server = listen(at);
                        Path root = Path.of(p[3]).toAbsolutePath().normalize();
                        daemon(() -> serveTcp(server, name, root));
                    }
                    case "udp" -> {
                        DatagramSocket socket = new DatagramSocket(at);
                        daemon(() -> serveUdp(socket, name));
                    }
                    default -> throw new IllegalArgumentException("unknown server kind " + p[0]);
                }
            } catch (IOException | RuntimeException e) {
                report("FAILED " + arg + ": " + e);
                System.exit(1);
            }
        }
        report("READY");
        InputStream in = System.in;
        while (in.read() >= 0) {
            // run until the owner closes our stdin
        }
        System.exit(0);
    }

    private static ServerSocket listen(InetSocketAddress at) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(at);
        return server;
    }

    private static void serveTcp(ServerSocket server, String name, Path docroot) {
        while (true) {
            try {
                Socket s = server.accept();
                String from = s.getInetAddress().getHostAddress();
                report("TCP " + name + " from " + from);
                daemon(() -> {
                    if (docroot == null) {
                        hello(s, name);
                    } else {
                        web(s, name, from, docroot);
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void hello(Socket s, String name) {
        try (s) {
            s.setSoTimeout(5000);
            int n = s.getInputStream().read(new byte[4096]);
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

    private static void web(Socket s, String name, String from, Path docroot) {
        try (s) {
            s.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String request = in.readLine();
            if (request == null) {
                return;
            }
            for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                // headers are not needed
            }
            String[] parts = request.split(" ");
            String path = parts.length > 1 ? parts[1].split("\\?", 2)[0] : "/";
            Path file = docroot.resolve(path.replaceFirst("^/+", "")).normalize();
            if (Files.isDirectory(file)) {
                file = file.resolve("index.html");
            }
            int status;
            byte[] body;
            if (!parts[0].equals("GET") && !parts[0].equals("HEAD")) {
                status = 405;
                body = "method not allowed\n".getBytes(StandardCharsets.US_ASCII);
            } else if (!file.startsWith(docroot) || !Files.isRegularFile(file)) {
                status = 404;
                body = "not found\n".getBytes(StandardCharsets.US_ASCII);
            } else {
                status = 200;
                body = Files.readAllBytes(file);
            }
            report("HTTP " + name + " from " + from + " " + parts[0] + " " + path + " " + status);
            String type = file.toString().endsWith(".html") ? "text/html" : file.toString().endsWith(".json")
                    ? "application/json" : "text/plain";
            String head = "HTTP/1.0 " + status + (status == 200 ? " OK" : status == 404 ? " Not Found" : " Method Not Allowed")
                    + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            if (!parts[0].equals("HEAD")) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            // the client went away
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
