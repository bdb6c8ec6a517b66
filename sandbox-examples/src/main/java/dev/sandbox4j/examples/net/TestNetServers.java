package dev.sandbox4j.examples.net;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Web servers on TEST-NET-3 addresses (203.0.113.128 and up) that live in a network namespace of their own, so
 * a sandbox can really connect to "the internet" without any packet leaving the machine. The host routes each
 * server address (a /32) through a veth pair into the namespace; the link uses a random /30 of TEST-NET-2
 * (198.51.100.128/25), so runs do not collide with each other or with the egress tests' fake internet (which
 * uses 203.0.113.0/24 below .128 and 198.51.100.0/30). TEST-NET-1 (192.0.2.0/24) is avoided on purpose: some
 * hosts, such as the CI machines, use it for their real uplink. Each server is busybox {@code httpd} serving one
 * directory, and reports every request, so a caller can prove what reached it and what did not.
 *
 * <p>Needs root (ip netns) and {@code /bin/busybox}. {@link #close()} removes the servers, routes, link and
 * namespace; it also runs at JVM exit (Ctrl-C), and is idempotent.
 */
public final class TestNetServers implements AutoCloseable {
    private static final Duration STEP = Duration.ofSeconds(20);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CommandRunner runner = CommandRunner.system();
    private final String netns;
    private final String hostVeth;
    private final String nsVeth;
    private final String hostSide;
    private final String nsSide;
    private final List<String> addresses;
    private final List<RunningCommand> servers = new ArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread hook = new Thread(this::close, "test-net-servers-cleanup");

    private TestNetServers(int count) {
        String id = HexFormat.of().formatHex(RANDOM.generateSeed(3));
        this.netns = "sb4j-demo-" + id;
        this.hostVeth = "sb4jdh" + id;
        this.nsVeth = "sb4jdn" + id;
        int block = 4 * (32 + RANDOM.nextInt(31));           // 198.51.100.128 .. .248, away from the tests' .0/30
        this.hostSide = "198.51.100." + (block + 1);
        this.nsSide = "198.51.100." + (block + 2);
        int first = 128 + RANDOM.nextInt(100);               // 203.0.113.128 .. .250, away from the tests' servers
        List<String> a = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            a.add("203.0.113." + (first + i));
        }
        this.addresses = List.copyOf(a);
    }

    /**
     * Starts one web server per entry of {@code docroots}, each serving that directory on port 80.
     *
     * @param docroots the directories to serve, one server each
     * @return the running servers; close them to remove the namespace
     */
    public static TestNetServers start(List<Path> docroots) {
        TestNetServers s = new TestNetServers(docroots.size());
        Runtime.getRuntime().addShutdownHook(s.hook);
        try {
            s.create(docroots);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** {@return the server addresses, in the order of the docroots} */
    public List<String> addresses() {
        return addresses;
    }

    /** {@return the network namespace's name ({@code sb4j-demo-...})} */
    public String netns() {
        return netns;
    }

    /**
     * Requests that reached {@code address} so far, as busybox httpd logged them.
     *
     * @param address one of {@link #addresses()}
     * @return the log lines, oldest first
     */
    public List<String> requestsTo(String address) {
        return requests.stream().filter(r -> r.startsWith(address + " ")).toList();
    }

    private void create(List<Path> docroots) {
        ip("netns", "add", netns);
        ip("link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth, "netns", netns);
        ip("addr", "add", hostSide + "/30", "dev", hostVeth);
        ip("link", "set", hostVeth, "up");
        inNs("ip", "addr", "add", nsSide + "/30", "dev", nsVeth);
        inNs("ip", "link", "set", nsVeth, "up");
        inNs("ip", "link", "set", "lo", "up");
        inNs("ip", "route", "add", "default", "via", hostSide);
        for (int i = 0; i < addresses.size(); i++) {
            String a = addresses.get(i);
            inNs("ip", "addr", "add", a + "/32", "dev", "lo");
            ip("route", "add", a + "/32", "via", nsSide, "dev", hostVeth);
            startServer(a, docroots.get(i));
        }
    }

    private void startServer(String address, Path docroot) {
        RunningCommand server = runner.start(Command.builder(List.of("ip", "netns", "exec", netns,
                "/bin/busybox", "httpd", "-f", "-vv", "-p", address + ":80", "-h", docroot.toAbsolutePath().toString()))
                .build());
        servers.add(server);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.stderr(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    requests.add(address + " " + line);
                }
            } catch (IOException e) {
                // server stopped
            }
        }, "httpd-" + address);
        reader.setDaemon(true);
        reader.start();
        for (int i = 0; i < 50; i++) {
            if (listening(address)) {
                try {
                    Thread.sleep(100);  // let httpd log the probe's connection before it is forgotten
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                requests.removeIf(r -> r.startsWith(address + " "));
                return;
            }
            if (!server.isAlive()) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted while starting the web server on " + address);
            }
        }
        throw new SandboxException("the web server on " + address + " in " + netns + " did not start");
    }

    /** Connects from the host, through the route into the namespace. */
    private static boolean listening(String address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, 80), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        runner.run(Command.of(argv, STEP)).requireSuccess();
    }

    private void inNs(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(List.of(args));
        runner.run(Command.of(argv, STEP)).requireSuccess();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        servers.forEach(RunningCommand::close);
        for (String a : addresses) {
            runner.run(Command.of(List.of("ip", "route", "del", a + "/32", "via", nsSide), STEP));
        }
        runner.run(Command.of(List.of("ip", "link", "del", hostVeth), STEP));
        runner.run(Command.of(List.of("ip", "netns", "del", netns), STEP));
    }
}
