package dev.sandbox4j.testing;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.RunningCommand;
import dev.sandbox4j.testing.internal.FakeServers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake internet: servers on TEST-NET addresses inside a network namespace of their own, routed from the host
 * through a veth pair, so a sandbox can really connect to "the internet" without a packet leaving the machine. Its
 * servers record every connection, datagram and web request that reached them, so a test can prove what a sandbox
 * reached and what it did not.
 *
 * <pre>{@code
 * try (FakeInternet internet = FakeInternet.builder()
 *         .echo("203.0.113.10", 80)           // answers "hello from 203.0.113.10:80"
 *         .echo("203.0.113.11", 80)
 *         .start()) {
 *     int mark = internet.mark();
 *     // ... a sandbox allowed 203.0.113.10 and denied 203.0.113.11 connects to both ...
 *     internet.seenSince(mark, "tcp", "203.0.113.10", 80);   // one line: the allowed request arrived
 *     internet.seenSince(mark, "tcp", "203.0.113.11", 80);   // empty: the denied one did not
 * }
 * }</pre>
 *
 * <p>Making one needs root on Linux (a network namespace, a veth pair, routes) and the {@code ip} command; see
 * {@link #unavailableReason()}. For tests run by an ordinary user (rootless Podman), root prepares a bed with the
 * {@linkplain #standard() standard layout} beforehand ({@code java -cp CLASSPATH dev.sandbox4j.testing.FakeInternet
 * DIR}, see {@link #main}) and the tests {@linkplain #attach attach} to it.
 *
 * <p>Names: the namespace is {@code sb4j-inet-<owner pid>-<id>} and the veth pair {@code sb4jh<id>} /
 * {@code sb4ji<id>}, so a bed left by a JVM that died is told apart from a live one: starting a fake internet first
 * removes the beds of dead owners. {@link #close()} stops the servers and removes the routes, the link and the
 * namespace; it also runs at JVM exit, and is idempotent. Only documentation and stand-in addresses are accepted
 * (TEST-NET-1/2/3, the shared address space 100.64.0.0/10 and the metadata address 169.254.169.254), so a fake
 * internet never hides a real destination. It does not resolve names: pair it with a {@link TestDnsServer}.
 */
public final class FakeInternet implements AutoCloseable {
    /** The standard layout's web server that tests treat as allowed (TCP 80, 81, 443, 853; UDP 443). */
    public static final String ALLOWED_IP = "203.0.113.10";
    /** The standard layout's web server that tests treat as denied (TCP 80, 81, 443, 853; UDP 443). */
    public static final String DENIED_IP = "203.0.113.11";
    /** The standard layout's third server, for address-range rules (TCP 80, 81, 443, 853; UDP 443). */
    public static final String CIDR_IP = "203.0.113.20";
    /** The standard layout's stand-in for a public resolver: receives DNS (UDP and TCP 53) that escapes interception. */
    public static final String RESOLVER_IP = "203.0.113.53";
    /** The standard layout's shared-address-space (100.64.0.0/10) host (TCP 80). */
    public static final String SHARED_IP = "100.64.0.10";
    /** The cloud metadata address (TCP 80 in the standard layout), routed here so a leak is seen, not just dropped. */
    public static final String METADATA_IP = "169.254.169.254";
    /** The host's side of the standard layout's link: containers reach it through the host. */
    public static final String HOST_SIDE = "198.51.100.1";
    /** The namespace's side of the standard layout's link. */
    public static final String NAMESPACE_SIDE = "198.51.100.2";

    private static final Logger LOG = LoggerFactory.getLogger(FakeInternet.class);
    private static final Duration STEP = Duration.ofSeconds(20);
    private static final Duration READY = Duration.ofSeconds(60);
    private static final String NETNS_PREFIX = "sb4j-inet-";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Where servers and routes may be: documentation ranges and the stand-ins for special addresses. */
    private static final List<String> ALLOWED_RANGES = List.of("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
            "100.64.0.0/10", "169.254.169.254/32");

    private final CommandRunner runner = CommandRunner.system();
    private final String netns;
    private final String hostVeth;
    private final String nsVeth;
    private final String hostSide;
    private final String nsSide;
    private final List<String> addresses;
    private final List<String> routes;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    /** A bed prepared by another process: its record is this file, and closing leaves the bed alone. */
    private final Path attachedLog;
    /** Where a bed prepared for other processes writes its record. */
    private final Path exportLog;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread hook = new Thread(this::close, "fake-internet-cleanup");
    private final StringBuffer serverErrors = new StringBuffer();
    private RunningCommand servers;

    private FakeInternet(String hostSide, String nsSide, List<String> addresses, List<String> routes, Path exportLog) {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        this.netns = NETNS_PREFIX + ProcessHandle.current().pid() + "-" + id;
        this.hostVeth = "sb4jh" + id;
        this.nsVeth = "sb4ji" + id;
        this.hostSide = hostSide;
        this.nsSide = nsSide;
        this.addresses = List.copyOf(addresses);
        this.routes = List.copyOf(routes);
        this.attachedLog = null;
        this.exportLog = exportLog;
    }

    private FakeInternet(Path dir, String netns, String hostSide, String nsSide, List<String> addresses) {
        this.netns = netns;
        this.hostVeth = "";
        this.nsVeth = "";
        this.hostSide = hostSide;
        this.nsSide = nsSide;
        this.addresses = List.copyOf(addresses);
        this.routes = List.of();
        this.attachedLog = dir.resolve("seen.log");
        this.exportLog = null;
    }

    /** {@return a builder for a fake internet without servers yet, on a random link in 198.51.100.128/25} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The standard layout, which Sandbox4j's own egress tests use and a prepared bed has: web servers at
     * {@link #ALLOWED_IP}, {@link #DENIED_IP} and {@link #CIDR_IP} (TCP 80, 81, 443 and 853, UDP 443), a resolver
     * stand-in at {@link #RESOLVER_IP} (UDP and TCP 53), {@link #METADATA_IP} and {@link #SHARED_IP} (TCP 80), all of
     * 203.0.113.0/24 routed into the namespace, and the link {@link #HOST_SIDE} / {@link #NAMESPACE_SIDE}. Its
     * addresses are fixed, so only one standard bed can run on a host at a time.
     *
     * @return a builder preset with the standard layout; more servers may be added
     */
    public static Builder standard() {
        Builder b = builder().link(HOST_SIDE, NAMESPACE_SIDE).route("203.0.113.0/24");
        for (String a : List.of(ALLOWED_IP, DENIED_IP, CIDR_IP)) {
            b.echo(a, 80, 81, 443, 853).udp(a, 443);
        }
        return b.udp(RESOLVER_IP, 53).echo(RESOLVER_IP, 53).echo(METADATA_IP, 80).echo(SHARED_IP, 80);
    }

    /**
     * Why this host cannot make a fake internet, if it cannot: not Linux, not root, or no {@code ip} command. Cheap
     * and without side effects.
     *
     * @return the reason and what to do, or empty when {@link Builder#start()} can work
     */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("the fake internet needs Linux network namespaces; this is "
                    + System.getProperty("os.name"));
        }
        if (!isRoot()) {
            return Optional.of("the fake internet needs root to make a network namespace: run as root, or have root "
                    + "prepare one (java -cp CLASSPATH " + FakeInternet.class.getName() + " DIR) and attach to it "
                    + "with FakeInternet.attach(DIR)");
        }
        if (List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream().noneMatch(p -> Files.isExecutable(Path.of(p)))) {
            return Optional.of("the fake internet needs the ip command: install iproute2");
        }
        return Optional.empty();
    }

    /**
     * Attaches to a bed that root prepared in {@code dir} with {@link #main}: its record is read from the bed's
     * {@code seen.log}, and {@link #close()} leaves the bed in place (it belongs to whoever prepared it).
     *
     * @param dir the directory the bed was prepared in
     * @return the attached bed
     * @throws SandboxConfigException if {@code dir} holds no prepared bed, saying how to prepare one
     */
    public static FakeInternet attach(Path dir) {
        try {
            String netns = Files.readString(dir.resolve("netns")).strip();
            String[] link = Files.readString(dir.resolve("link")).strip().split(" ");
            List<String> addresses = Files.readAllLines(dir.resolve("addresses")).stream().filter(l -> !l.isBlank())
                    .toList();
            if (netns.isEmpty() || link.length != 2 || !Files.isReadable(dir.resolve("seen.log"))) {
                throw new IOException("incomplete bed");
            }
            return new FakeInternet(dir, netns, link[0], link[1], addresses);
        } catch (IOException e) {
            throw new SandboxConfigException("no prepared fake internet in " + dir + ": prepare one as root with `java "
                    + "-cp CLASSPATH " + FakeInternet.class.getName() + " " + dir + "` and keep its stdin open", e);
        }
    }

    /**
     * As root, prepares a bed with the {@linkplain #standard() standard layout} for tests run by other users: writes
     * the bed's description ({@code netns} last) and its record ({@code seen.log}, world-readable) into the
     * directory, prints {@code READY <netns>}, and keeps the bed until its standard input closes; then removes it.
     *
     * @param args one argument: the directory to prepare the bed in (created if missing)
     * @throws IOException if the directory cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp CLASSPATH " + FakeInternet.class.getName() + " DIR   (as root; "
                    + "keeps the bed until stdin closes)");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        Path log = dir.resolve("seen.log");
        Files.writeString(log, "");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        try (FakeInternet bed = standard().start(log)) {
            Files.writeString(dir.resolve("link"), bed.hostSide + " " + bed.nsSide + "\n");
            Files.write(dir.resolve("addresses"), bed.addresses);
            Files.writeString(dir.resolve("netns"), bed.netns + "\n");
            System.out.println("READY " + bed.netns);
            System.out.flush();
            while (System.in.read() >= 0) {
                // keep the bed until the caller closes stdin
            }
        }
    }

    /** {@return the network namespace's name, {@code sb4j-inet-<owner pid>-<id>}} */
    public String netns() {
        return netns;
    }

    /** {@return the host's address on the link: a server the namespace's side (and containers) can reach} */
    public String hostSide() {
        return hostSide;
    }

    /** {@return the namespace's address on the link} */
    public String namespaceSide() {
        return nsSide;
    }

    /** {@return the servers' addresses, each once, in the order they were added to the builder} */
    public List<String> addresses() {
        return addresses;
    }

    /** {@return a position in the record: what {@link #seenSince} counts from} */
    public int mark() {
        return record().size();
    }

    /**
     * What reached one server after {@code mark}: lines such as {@code "TCP 203.0.113.10:80 from 10.88.0.5"} (one
     * per connection), {@code "UDP 203.0.113.10:443 from 10.88.0.5 29"} (one per datagram, with its length) and
     * {@code "HTTP 203.0.113.130:80 from 10.88.0.5 GET /index.html 200"} (one per web request).
     *
     * @param mark     a position from {@link #mark()}, 0 for the beginning
     * @param protocol {@code "tcp"}, {@code "udp"} or {@code "http"}, any case
     * @param address  the server's address
     * @param port     the server's port
     * @return the matching lines, oldest first
     */
    public List<String> seenSince(int mark, String protocol, String address, int port) {
        String prefix = protocol.toUpperCase(Locale.ROOT) + " " + address + ":" + port + " ";
        return seenSince(mark).stream().filter(l -> l.startsWith(prefix)).toList();
    }

    /**
     * Waits until at least {@code count} lines for one server have arrived after {@code mark}, or until
     * {@code timeout} has passed, and returns what arrived by then. The record is written by the servers as they see
     * traffic, so it can trail the client's own answer by a moment: wait for the positive control this way, then
     * read the negative probes' lines with {@link #seenSince(int, String, String, int)} — a probe that would have
     * arrived has had at least as long as the control that did.
     *
     * @param mark     a position from {@link #mark()}, 0 for the beginning
     * @param protocol {@code "tcp"}, {@code "udp"} or {@code "http"}, any case
     * @param address  the server's address
     * @param port     the server's port
     * @param count    how many lines to wait for, at least 1
     * @param timeout  how long to wait at most
     * @return the matching lines, oldest first: {@code count} or more, or fewer if the time ran out (assert on it)
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws IllegalArgumentException if {@code count} is below 1 or {@code timeout} is negative
     */
    public List<String> awaitSeen(int mark, String protocol, String address, int port, int count, Duration timeout)
            throws InterruptedException {
        if (count < 1 || timeout.isNegative()) {
            throw new IllegalArgumentException("awaitSeen needs a count of at least 1 and a timeout of 0 or more, got "
                    + count + " and " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = seenSince(mark, protocol, address, port);
            if (lines.size() >= count || System.nanoTime() - deadline >= 0) {
                return lines;
            }
            Thread.sleep(20);
        }
    }

    /**
     * Everything that reached any server after {@code mark}, for diagnostics.
     *
     * @param mark a position from {@link #mark()}, 0 for the beginning
     * @return the lines, oldest first
     */
    public List<String> seenSince(int mark) {
        List<String> all = record();
        return List.copyOf(all.subList(Math.max(0, Math.min(mark, all.size())), all.size()));
    }

    private List<String> record() {
        if (attachedLog == null) {
            return List.copyOf(seen);
        }
        try {
            return Files.readAllLines(attachedLog);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FakeInternet start(Builder b, Path exportLog) {
        if (b.servers.isEmpty()) {
            throw new SandboxConfigException("a fake internet without servers: add one with echo(), udp() or web()");
        }
        Set<String> explicit = new LinkedHashSet<>();
        b.servers.stream().map(Server::address).filter(Objects::nonNull).forEach(explicit::add);
        String hostSide = b.hostSide;
        String nsSide = b.nsSide;
        if (hostSide != null) {
            for (String a : explicit) {
                if ((Builder.ipv4(a, "") & ~3L) == (Builder.ipv4(hostSide, "") & ~3L)) {
                    throw new SandboxConfigException("link(" + hostSide + ", " + nsSide + "): the server " + a
                            + " is inside the link's /30: give the link or the server another address");
                }
            }
        }
        long autoServers = b.servers.stream().filter(s -> s.address() == null).count();
        if (autoServers > 123 - explicit.stream().filter(a -> a.startsWith("203.0.113.")).count()) {
            throw new SandboxConfigException(autoServers + " web servers without an address are more than "
                    + "203.0.113.128 to 203.0.113.250 holds: give some of them an address with web(address, port, "
                    + "docroot)");
        }
        int nextAuto = RANDOM.nextInt(123);                  // 203.0.113.128 .. .250 for web(docroot), wrapping
        Set<String> addresses = new LinkedHashSet<>();
        List<String> args = new ArrayList<>();
        for (Server s : b.servers) {
            String address = s.address();
            if (address == null) {
                do {
                    address = "203.0.113." + (128 + nextAuto++ % 123);
                } while (explicit.contains(address) || addresses.contains(address));
            }
            addresses.add(address);
            args.add(s.kind() + ":" + address + ":" + s.port() + (s.docroot() == null ? "" : ":" + s.docroot()));
        }
        Set<String> routes = new LinkedHashSet<>(b.routes);   // a server's /32 may also be routed explicitly
        for (String a : addresses) {
            routes.add(a + "/32");
        }
        Optional<String> unavailable = unavailableReason();
        if (unavailable.isPresent()) {
            throw new FakeInternetUnavailableException(unavailable.get());
        }
        removeBedsOfDeadOwners();
        if (hostSide == null) {
            int block = 0;
            for (int attempt = 0; attempt < 100 && hostSide == null; attempt++) {
                block = 4 * (32 + RANDOM.nextInt(31));       // 198.51.100.128 .. .248, away from the standard .0/30
                if (!linkHoldsAServer(block, explicit) && routedOnThisHost("198.51.100." + block + "/30").isEmpty()) {
                    hostSide = "198.51.100." + (block + 1);
                    nsSide = "198.51.100." + (block + 2);
                }
            }
            if (hostSide == null) {
                throw new SandboxConfigException("every /30 of 198.51.100.128/25 for the link is in use on this host: "
                        + "close other fake internets, or give this one a free link with link(hostSide, namespaceSide)");
            }
        } else {
            checkFreeOnThisHost(network30(hostSide), "the link");
        }
        for (String r : routes) {
            checkFreeOnThisHost(r, "the route");
        }
        FakeInternet net = new FakeInternet(hostSide, nsSide, List.copyOf(addresses), List.copyOf(routes), exportLog);
        Runtime.getRuntime().addShutdownHook(net.hook);
        try {
            net.create(args);
            LOG.info("fake internet {} up: {} via {} (host side {})", net.netns, net.addresses, net.nsSide, net.hostSide);
            return net;
        } catch (RuntimeException | Error e) {
            try {
                net.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static String network30(String address) {
        return Builder.text(Builder.ipv4(address, "link") & ~3L) + "/30";
    }

    /**
     * Refuses a range this host routes already: into another fake internet with the same range (its route would
     * clash), or anywhere but a fake internet (it would hide a real network). A more specific range inside another
     * fake internet's is fine: the more specific route wins.
     */
    private static void checkFreeOnThisHost(String cidr, String what) {
        String exact = cidr.endsWith("/32") ? cidr.substring(0, cidr.length() - 3) : cidr;
        for (String line : routedOnThisHost(cidr)) {
            if (!line.contains(" dev sb4jh")) {
                throw new SandboxConfigException(what + " " + cidr + " overlaps this host's route '" + line + "': a "
                        + "fake internet there would hide a real network; give addresses outside it");
            }
            if (line.split(" ")[0].equals(exact)) {
                throw new SandboxConfigException(what + " " + cidr + " belongs to another fake internet on this host "
                        + "('" + line + "'): close that one first, or give this one other addresses (the standard "
                        + "layout's are fixed: one standard bed per host at a time)");
            }
        }
    }

    /** The routes of this host's main table that contain or lie inside {@code cidr}, the default route aside. */
    private static List<String> routedOnThisHost(String cidr) {
        CommandRunner runner = CommandRunner.system();
        List<String> lines = new ArrayList<>();
        for (String selector : List.of("match", "root")) {
            String out = runner.run(Command.of(List.of("ip", "-4", "route", "show", selector, cidr), STEP))
                    .requireSuccess().stdout();
            out.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("default"))
                    .filter(l -> !lines.contains(l)).forEach(lines::add);
        }
        return lines;
    }

    private static boolean linkHoldsAServer(int block, Set<String> servers) {
        return servers.stream().anyMatch(a -> a.startsWith("198.51.100.")
                && (Integer.parseInt(a.substring("198.51.100.".length())) & ~3) == block);
    }

    private void create(List<String> serverArgs) {
        ip("netns", "add", netns);
        ip("link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth, "netns", netns);
        ip("addr", "add", hostSide + "/30", "dev", hostVeth);
        ip("link", "set", hostVeth, "up");
        inNs("ip", "addr", "add", nsSide + "/30", "dev", nsVeth);
        inNs("ip", "link", "set", nsVeth, "up");
        inNs("ip", "link", "set", "lo", "up");
        for (String a : addresses) {
            inNs("ip", "addr", "add", a + "/32", "dev", "lo");
        }
        inNs("ip", "route", "add", "default", "via", hostSide);
        for (String r : routes) {
            ip("route", "add", r, "via", nsSide, "dev", hostVeth);
        }
        startServers(serverArgs);
    }

    private void startServers(List<String> serverArgs) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", serverClassPath(),
                FakeServers.class.getName()));
        argv.addAll(serverArgs);
        servers = runner.start(Command.builder(argv).build());
        CountDownLatch ready = new CountDownLatch(1);
        StringBuffer failure = new StringBuffer();
        Thread errors = daemon("fake-internet-stderr", () -> read(servers.stderr(), line -> {
            if (serverErrors.length() < 8192) {
                serverErrors.append(line).append('\n');
            }
        }));
        daemon("fake-internet-stdout", () -> {
            read(servers.stdout(), line -> {
                if (line.equals("READY")) {
                    ready.countDown();
                } else if (line.startsWith("FAILED ")) {
                    failure.append(line.substring(7));
                    ready.countDown();
                } else {
                    seen.add(line);
                    export(line);
                }
            });
            if (ready.getCount() > 0) {
                // the servers' JVM ended (or never ran) without a word: say so now, not after READY
                failure.append("their JVM exited before it was ready");
                ready.countDown();
            }
        });
        try {
            if (!ready.await(READY.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SandboxException("the fake internet's servers in " + netns + " did not start within "
                        + READY.toSeconds() + " s" + diagnostics());
            }
            if (failure.length() > 0) {
                errors.join(STEP.toMillis());               // the whole of their stderr, for the message
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while starting the fake internet's servers", e);
        }
        if (failure.length() > 0) {
            throw new SandboxException("a fake internet server in " + netns + " failed to start: " + failure
                    + diagnostics());
        }
    }

    private String diagnostics() {
        return serverErrors.length() == 0 ? "" : "; its output: " + serverErrors.toString().strip();
    }

    /** The class path of the servers' JVM: where this module's classes are (a jar or a directory). */
    private static String serverClassPath() {
        CodeSource source = FakeServers.class.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            try {
                return Path.of(source.getLocation().toURI()).toString();
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a file: fall back to this JVM's class path
            }
        }
        return System.getProperty("java.class.path");
    }

    private static void read(InputStream stream, java.util.function.Consumer<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.accept(line);
            }
        } catch (IOException e) {
            // the servers stopped
        }
    }

    private synchronized void export(String line) {
        if (exportLog != null) {
            try {
                Files.writeString(exportLog, line + "\n", StandardOpenOption.APPEND);
            } catch (IOException e) {
                LOG.warn("could not append to the fake internet's record {}: {}", exportLog, e.toString());
            }
        }
    }

    /** Deletes fake internets whose JVM is gone, with their veth (and so their routes). */
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
                LOG.info("removing fake internet {}: its owner process is gone", name);
                runner.run(Command.of(List.of("ip", "link", "del", "sb4jh" + parts[parts.length - 1]), STEP));
                runner.run(Command.of(List.of("ip", "netns", "del", name), STEP));
            }
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

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.substring(4).trim().split("\\s+")[1]).anyMatch("0"::equals);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops the servers and removes the routes, the link and the namespace; an attached bed is left in place.
     * Idempotent; trouble is logged at WARN, never thrown.
     */
    @Override
    public void close() {
        if (attachedLog != null || !closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: this is the hook
        }
        if (servers != null) {
            servers.close();
        }
        // dev-qualified: never delete the same route of another bed on this host
        for (String r : routes) {
            cleanup(List.of("ip", "route", "del", r, "via", nsSide, "dev", hostVeth));
        }
        cleanup(List.of("ip", "link", "del", hostVeth));
        cleanup(List.of("ip", "netns", "del", netns));
        LOG.info("fake internet {} removed", netns);
    }

    private void cleanup(List<String> argv) {
        try {
            CommandResult r = runner.run(Command.of(argv, STEP));
            if (r.exitCode() != 0 && !r.stderr().contains("No such") && !r.stderr().contains("Cannot find")) {
                LOG.warn("fake internet cleanup: {} exited {}: {}", String.join(" ", argv), r.exitCode(),
                        r.stderr().strip());
            }
        } catch (RuntimeException e) {
            LOG.warn("fake internet cleanup: {} failed: {}", String.join(" ", argv), e.toString());
        }
    }

    @Override
    public String toString() {
        return "FakeInternet[" + netns + ", " + addresses + "]";
    }

    private record Server(String kind, String address, int port, Path docroot) {
    }

    /**
     * Configures a {@link FakeInternet}. Mutable and not thread-safe. Addresses must be IPv4 literals in TEST-NET-1,
     * -2 or -3 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), the shared address space (100.64.0.0/10) or the
     * metadata address 169.254.169.254; anything else is refused, so a fake internet never hides a real
     * destination.
     */
    public static final class Builder {
        private final List<Server> servers = new ArrayList<>();
        private final List<String> routes = new ArrayList<>();
        private String hostSide;
        private String nsSide;

        private Builder() {
        }

        /**
         * The link between the host and the namespace: two addresses of one /30. The default is a random /30 of
         * 198.51.100.128/25, so fake internets with default links seldom collide.
         *
         * @param hostSide      the host's address, such as {@code 198.51.100.1}
         * @param namespaceSide the namespace's address, such as {@code 198.51.100.2}
         * @return this builder
         * @throws SandboxConfigException if they are not the two usable addresses of one /30 inside the allowed
         *                                ranges
         */
        public Builder link(String hostSide, String namespaceSide) {
            long h = ipv4(hostSide, "link");
            long n = ipv4(namespaceSide, "link");
            if ((h & ~3L) != (n & ~3L) || h == n || (h & 3) == 0 || (h & 3) == 3 || (n & 3) == 0 || (n & 3) == 3) {
                throw new SandboxConfigException("link(" + hostSide + ", " + namespaceSide + "): give the two usable "
                        + "addresses of one /30, such as 198.51.100.1 and 198.51.100.2");
            }
            checkAllowed(h & ~3L, 30, "link(" + hostSide + ", " + namespaceSide + ")");
            this.hostSide = hostSide;
            this.nsSide = namespaceSide;
            return this;
        }

        /**
         * Routes a whole range into the namespace, beyond the servers' own addresses (which are always routed):
         * connections to its other addresses then reach the namespace and find nothing there, instead of leaving
         * through the host's uplink.
         *
         * @param cidr an IPv4 range such as {@code 203.0.113.0/24}
         * @return this builder
         * @throws SandboxConfigException if it is not a range inside the allowed ones
         */
        public Builder route(String cidr) {
            String[] p = cidr.split("/", 2);
            int prefix;
            try {
                prefix = p.length == 2 ? Integer.parseInt(p[1]) : -1;
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > 32) {
                throw new SandboxConfigException("route(" + cidr + "): give an IPv4 range as ADDRESS/PREFIX, such as "
                        + "203.0.113.0/24");
            }
            long start = ipv4(p[0], "route(" + cidr + ")");
            long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            if ((start & mask) != start) {
                throw new SandboxConfigException("route(" + cidr + "): the address has bits outside the prefix; did "
                        + "you mean " + text(start & mask) + "/" + prefix + "?");
            }
            checkAllowed(start, prefix, "route(" + cidr + ")");
            routes.add(cidr);
            return this;
        }

        /**
         * Adds TCP servers that answer whatever they are sent with {@code "hello from ADDRESS:PORT"} (as an HTTP
         * response when the client sent a request, as a bare line when it only connected).
         *
         * @param address the server's address
         * @param ports   one or more ports
         * @return this builder
         * @throws SandboxConfigException if the address is not allowed, a port is out of range or already taken
         */
        public Builder echo(String address, int... ports) {
            return add("tcp", address, ports, null);
        }

        /**
         * Adds UDP receivers, which record every datagram and never answer.
         *
         * @param address the receiver's address
         * @param ports   one or more ports
         * @return this builder
         * @throws SandboxConfigException if the address is not allowed, a port is out of range or already taken
         */
        public Builder udp(String address, int... ports) {
            return add("udp", address, ports, null);
        }

        /**
         * Adds a web server (HTTP/1.0, GET and HEAD) that serves the files under {@code docroot},
         * {@code index.html} for a directory.
         *
         * @param address the server's address
         * @param port    its port, such as 80
         * @param docroot the directory to serve
         * @return this builder
         * @throws SandboxConfigException if the address is not allowed, the port is taken or the directory missing
         */
        public Builder web(String address, int port, Path docroot) {
            return add("web", address, new int[] {port}, docroot);
        }

        /**
         * Adds a web server on port 80 of an address the fake internet picks when it starts (the next of a random
         * run in 203.0.113.128 to 203.0.113.250, so concurrent fake internets seldom collide); find it in
         * {@link FakeInternet#addresses()}, in the order servers were added.
         *
         * @param docroot the directory to serve
         * @return this builder
         * @throws SandboxConfigException if the directory is missing
         */
        public Builder web(Path docroot) {
            return add("web", null, new int[] {80}, docroot);
        }

        private Builder add(String kind, String address, int[] ports, Path docroot) {
            if (address != null) {
                checkAllowed(ipv4(address, kind + " server " + address), 32, kind + " server " + address);
            }
            if (ports.length == 0) {
                throw new SandboxConfigException(kind + " server " + address + ": give at least one port");
            }
            Path root = null;
            if (docroot != null) {
                root = docroot.toAbsolutePath().normalize();
                if (!Files.isDirectory(root)) {
                    throw new SandboxConfigException("web server docroot " + root + " is not a directory: create it, "
                            + "or give the directory holding the files to serve");
                }
            }
            for (int port : ports) {
                if (port < 1 || port > 65535) {
                    throw new SandboxConfigException(kind + " server " + address + ": port " + port + " is out of "
                            + "range: give 1 to 65535");
                }
                String proto = kind.equals("udp") ? "udp" : "tcp";
                for (Server s : servers) {
                    if (address != null && address.equals(s.address()) && s.port() == port
                            && proto.equals(s.kind().equals("udp") ? "udp" : "tcp")) {
                        throw new SandboxConfigException(proto + " port " + port + " of " + address + " has a server "
                                + "already: give each server its own address and port");
                    }
                }
                servers.add(new Server(kind, address, port, root));
            }
            return this;
        }

        /**
         * Makes the namespace, the link, the routes and the servers; the servers listen when this returns.
         *
         * @return the running fake internet; close it to remove it
         * @throws FakeInternetUnavailableException if this host cannot make one (see {@link #unavailableReason()})
         * @throws SandboxConfigException           if no server was added, a server lies inside the link's /30, or a
         *                                          range or the link is routed on this host already (by another fake
         *                                          internet with the same range, or anywhere but a fake internet);
         *                                          nothing is made then
         * @throws SandboxException                 if a step fails; what was made is removed again
         */
        public FakeInternet start() {
            return FakeInternet.start(this, null);
        }

        FakeInternet start(Path exportLog) {
            return FakeInternet.start(this, Objects.requireNonNull(exportLog));
        }

        private static long ipv4(String address, String what) {
            String[] octets = address.split("\\.", -1);
            long value = 0;
            boolean ok = octets.length == 4;
            for (int i = 0; ok && i < 4; i++) {
                ok = octets[i].matches("[0-9]{1,3}") && Integer.parseInt(octets[i]) <= 255;
                value = (value << 8) | (ok ? Integer.parseInt(octets[i]) : 0);
            }
            if (!ok) {
                throw new SandboxConfigException(what + ": '" + address + "' is not an IPv4 literal: give one such as "
                        + "203.0.113.10");
            }
            return value;
        }

        private static void checkAllowed(long start, int prefix, String what) {
            for (String range : ALLOWED_RANGES) {
                String[] r = range.split("/");
                int rp = Integer.parseInt(r[1]);
                long rmask = (0xffffffffL << (32 - rp)) & 0xffffffffL;
                if (prefix >= rp && (start & rmask) == ipv4(r[0], range)) {
                    return;
                }
            }
            throw new SandboxConfigException(what + ": " + text(start) + (prefix == 32 ? "" : "/" + prefix)
                    + " is outside the fake internet's ranges " + ALLOWED_RANGES + ": use a documentation address "
                    + "such as 203.0.113.10, so no real destination is hidden");
        }

        private static String text(long v) {
            return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
        }
    }
}
