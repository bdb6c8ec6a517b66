package dev.sandbox4j.egress.testbed;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A fake internet in its own network namespace: TEST-NET addresses only, routed from the host through a veth
 * pair, with TCP servers that answer "hello from IP:PORT" and UDP receivers, all recording what reached them.
 * The host reaches it at 198.51.100.2 (the host side is 198.51.100.1); its servers live in 203.0.113.0/24, plus
 * a stand-in for the cloud metadata endpoint at 169.254.169.254 and a shared-address-space host at 100.64.0.10.
 * Nothing here touches the machine's real uplink. Close it to remove the namespace, the veth and the route.
 *
 * <p>Making the bed needs root. For a run as an ordinary user (rootless Podman), root prepares a bed beforehand
 * and the tests attach to it: {@code java -cp TEST_CLASSPATH dev.sandbox4j.egress.testbed.FakeInternet DIR}
 * (as root) makes the bed, writes what reaches its servers to {@code DIR/seen.log} (world-readable), prints
 * {@code READY} and keeps the bed until its stdin closes; the tests, run with {@code -Dsandbox4j.testbed=DIR}
 * (or {@code SANDBOX4J_TESTBED=DIR}), then use that bed and leave it in place when they close it. Tests of one
 * bed must not run at once (they read one shared record), as with a bed of their own.
 */
public final class FakeInternet implements AutoCloseable {
    /** A web server every test policy treats as allowed. */
    public static final String ALLOWED_IP = "203.0.113.10";
    /** A web server every test policy treats as denied. */
    public static final String DENIED_IP = "203.0.113.11";
    /** A third server, for CIDR rules. */
    public static final String CIDR_IP = "203.0.113.20";
    /** A stand-in for a public resolver: receives DNS packets that escape interception. */
    public static final String RESOLVER_IP = "203.0.113.53";
    /** A shared-address-space (100.64.0.0/10) host, a class DNS answers may never point at: routed here too. */
    public static final String SHARED_IP = "100.64.0.10";
    /** The cloud metadata address, routed into the fake internet so a leak would be seen, not just dropped. */
    public static final String METADATA_IP = "169.254.169.254";
    /** The host's side of the link to the fake internet: reached from containers through the host. */
    public static final String HOST_SIDE = "198.51.100.1";
    static final String NS_SIDE = "198.51.100.2";
    private static final Duration STEP = Duration.ofSeconds(20);
    /** Test beds are named {@code sb4j-inet-<owner pid>-<id>}, so a bed left by a killed JVM can be told apart. */
    private static final String NETNS_PREFIX = "sb4j-inet-";

    private final CommandRunner runner = CommandRunner.system();
    private final String netns;
    private final String hostVeth;
    private final String nsVeth;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    /** A bed prepared by another process: its record is this file, and closing leaves the bed alone. */
    private final Path attachedLog;
    /** Where a bed prepared for other processes writes its record. */
    private Path exportLog;
    private RunningCommand servers;

    private FakeInternet() {
        byte[] b = new byte[3];
        new SecureRandom().nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        this.netns = NETNS_PREFIX + ProcessHandle.current().pid() + "-" + id;
        this.hostVeth = "sb4jh" + id;
        this.nsVeth = "sb4ji" + id;
        this.attachedLog = null;
    }

    private FakeInternet(Path dir) {
        try {
            this.netns = Files.readString(dir.resolve("netns")).strip();
        } catch (IOException e) {
            throw new IllegalStateException("no prepared test bed in " + dir + ": prepare one as root with "
                    + "`java -cp TEST_CLASSPATH " + FakeInternet.class.getName() + " " + dir + "`", e);
        }
        this.hostVeth = "";
        this.nsVeth = "";
        this.attachedLog = dir.resolve("seen.log");
    }

    /**
     * Creates the namespace, the link and the servers; or, when {@code sandbox4j.testbed} (system property) or
     * {@code SANDBOX4J_TESTBED} (environment) names a directory, attaches to the bed prepared there.
     */
    public static FakeInternet start() {
        String prepared = System.getProperty("sandbox4j.testbed", System.getenv("SANDBOX4J_TESTBED"));
        if (prepared != null && !prepared.isBlank()) {
            return new FakeInternet(Path.of(prepared));
        }
        if (!isRoot()) {
            String reason = "the fake internet needs root to make its network namespace: as root, run "
                    + "scripts/rootless-tests.sh (it makes one and runs these tests as an ordinary user), or prepare "
                    + "one (see this class) and set SANDBOX4J_TESTBED=DIR";
            if (System.getenv("SANDBOX4J_REQUIRE_RUNTIME") != null) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        removeBedsOfDeadOwners();
        FakeInternet net = new FakeInternet();
        try {
            net.create();
            return net;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private void create() {
        ip("netns", "add", netns);
        ip("link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth, "netns", netns);
        ip("addr", "add", HOST_SIDE + "/30", "dev", hostVeth);
        ip("link", "set", hostVeth, "up");
        inNs("ip", "addr", "add", NS_SIDE + "/30", "dev", nsVeth);
        inNs("ip", "link", "set", nsVeth, "up");
        inNs("ip", "link", "set", "lo", "up");
        for (String a : List.of(ALLOWED_IP, DENIED_IP, CIDR_IP, RESOLVER_IP, METADATA_IP, SHARED_IP)) {
            inNs("ip", "addr", "add", a + "/32", "dev", "lo");
        }
        inNs("ip", "route", "add", "default", "via", HOST_SIDE);
        ip("route", "add", "203.0.113.0/24", "via", NS_SIDE, "dev", hostVeth);
        ip("route", "add", METADATA_IP + "/32", "via", NS_SIDE, "dev", hostVeth);
        ip("route", "add", SHARED_IP + "/32", "via", NS_SIDE, "dev", hostVeth);
        startServers();
    }

    private void startServers() {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                FakeServers.class.getName()));
        for (String a : List.of(ALLOWED_IP, DENIED_IP, CIDR_IP)) {
            argv.addAll(List.of("tcp:" + a + ":80", "tcp:" + a + ":81", "tcp:" + a + ":443", "tcp:" + a + ":853",
                    "udp:" + a + ":443"));
        }
        argv.addAll(List.of("udp:" + RESOLVER_IP + ":53", "tcp:" + RESOLVER_IP + ":53", "tcp:" + METADATA_IP + ":80",
                "tcp:" + SHARED_IP + ":80"));
        servers = runner.start(Command.builder(argv).build());
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(servers.stdout(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("READY")) {
                        ready.countDown();
                    } else {
                        seen.add(line);
                        export(line);
                    }
                }
            } catch (IOException e) {
                // servers stopped
            }
        }, "fake-internet-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("fake internet servers did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes test beds whose JVM is gone (with their veth, and so their routes). */
    private static void removeBedsOfDeadOwners() {
        CommandRunner runner = CommandRunner.system();
        String list = runner.run(Command.of(List.of("ip", "netns", "list"), STEP)).stdout();
        for (String line : list.lines().toList()) {
            String name = line.split(" ")[0];
            if (!name.startsWith(NETNS_PREFIX)) {
                continue;
            }
            String[] parts = name.substring(NETNS_PREFIX.length()).split("-");
            boolean dead = parts.length != 2 || !parts[0].chars().allMatch(Character::isDigit)
                    || ProcessHandle.of(Long.parseLong(parts[0])).map(h -> !h.isAlive()).orElse(true);
            if (dead) {
                runner.run(Command.of(List.of("ip", "link", "del", "sb4jh" + parts[parts.length - 1]), STEP));
                runner.run(Command.of(List.of("ip", "netns", "del", name), STEP));
            }
        }
    }

    private synchronized void export(String line) {
        if (exportLog != null) {
            try {
                Files.writeString(exportLog, line + "\n", StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The record so far. */
    private List<String> record() {
        if (attachedLog == null) {
            return List.copyOf(seen);
        }
        try {
            return Files.readAllLines(attachedLog);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A position in the record: what {@link #seenSince} counts from. */
    public int mark() {
        return record().size();
    }

    /** What reached one server address and port after {@code mark}. */
    public List<String> seenSince(int mark, String proto, String ip, int port) {
        String prefix = proto.toUpperCase(java.util.Locale.ROOT) + " " + ip + ":" + port + " ";
        List<String> all = record();
        return all.subList(Math.min(mark, all.size()), all.size()).stream().filter(l -> l.startsWith(prefix)).toList();
    }

    /** Everything that reached the servers after {@code mark}, for diagnostics. */
    public List<String> seenSince(int mark) {
        List<String> all = record();
        return List.copyOf(all.subList(Math.min(mark, all.size()), all.size()));
    }

    public String netns() {
        return netns;
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

    /**
     * As root: prepares a bed for tests run by an ordinary user (see the class comment). Argument: the directory
     * to write {@code netns} and {@code seen.log} into. Keeps the bed until stdin closes.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        Path log = dir.resolve("seen.log");
        Files.writeString(log, "");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(log, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (FakeInternet bed = new FakeInternet()) {
            bed.exportLog = log;
            bed.create();
            Files.writeString(dir.resolve("netns"), bed.netns + "\n");
            System.out.println("READY " + bed.netns);
            System.out.flush();
            while (System.in.read() >= 0) {
                // keep the bed until the caller closes stdin
            }
        }
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.substring(4).trim().split("\\s+")[1]).anyMatch("0"::equals);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (attachedLog != null) {
            return;  // a prepared bed belongs to whoever prepared it
        }
        if (servers != null) {
            servers.close();
        }
        // dev-qualified: never delete the same routes of another test bed on this host
        runner.run(Command.of(List.of("ip", "route", "del", "203.0.113.0/24", "via", NS_SIDE, "dev", hostVeth), STEP));
        runner.run(Command.of(List.of("ip", "route", "del", METADATA_IP + "/32", "via", NS_SIDE, "dev", hostVeth),
                STEP));
        runner.run(Command.of(List.of("ip", "route", "del", SHARED_IP + "/32", "via", NS_SIDE, "dev", hostVeth),
                STEP));
        runner.run(Command.of(List.of("ip", "link", "del", hostVeth), STEP));
        runner.run(Command.of(List.of("ip", "netns", "del", netns), STEP));
    }
}
