package dev.sandbox4j.examples;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.ShellResult;
import dev.sandbox4j.ShellTool;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.testing.FakeInternet;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The README's demo ({@code ./run-demo}): a scripted "agent" session in a sandbox with egress control. It works
 * on a mounted project, starts a server on a published port that the host then calls, reaches an allowed host,
 * is refused a denied one (by name and by address), and prints the egress audit log.
 *
 * <p>Nothing touches the real internet: the sandbox's DNS upstream is a {@link TestDnsServer} on 127.0.0.1
 * that knows two names, and both names point at web servers on TEST-NET addresses inside a network namespace
 * the demo creates (a {@link FakeInternet}). Everything is removed at the end, also on Ctrl-C.
 */
public final class Demo {
    static final String ALLOWED = "api.allowed.example";
    static final String DENIED = "exfil.denied.example";

    private final PrintStream out;

    Demo(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the demo on this host and prints each step to standard output.
     *
     * @param args ignored
     * @throws Exception if a step fails; the demo stops there
     */
    public static void main(String[] args) throws Exception {
        quietLogging();
        new Demo(System.out).run();
    }

    /** Image-build progress stays visible; the library's INFO lines (the audit among them) are shown at the end. */
    static void quietLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            System.setProperty("org.slf4j.simpleLogger.log.dev.sandbox4j.build", "info");
            System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
            System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        }
    }

    void run() throws Exception {
        Path work = Files.createTempDirectory("sandbox4j-demo");
        try {
            run(work);
        } finally {
            deleteTree(work);
        }
    }

    private void run(Path work) throws Exception {
        // a fixed context directory: every run builds (and tags) the same image, so reruns reuse it
        Path context = imageContext(Path.of(System.getProperty("java.io.tmpdir"), "sandbox4j-demo-image"));
        Path project = Files.createDirectories(work.resolve("project"));
        Files.writeString(project.resolve("notes.txt"), "3 apples\n5 pears\n");
        Path api = Files.createDirectories(work.resolve("www-api"));
        Files.writeString(api.resolve("index.html"), "{\"forecast\": \"sunny\"}\n");
        Path exfil = Files.createDirectories(work.resolve("www-exfil"));
        Files.writeString(exfil.resolve("index.html"), "you should never see this\n");

        try (FakeInternet internet = FakeInternet.builder().web(api).web(exfil).start()) {
            String apiIp = internet.addresses().get(0);
            String exfilIp = internet.addresses().get(1);
            step("fake internet: web servers on " + apiIp + " and " + exfilIp + " in network namespace "
                    + internet.netns() + " (TEST-NET addresses; nothing leaves this machine)");
            try (TestDnsServer dns = TestDnsServer.builder().host(ALLOWED, apiIp).host(DENIED, exfilIp).start()) {
                step("local DNS server on " + dns.address().getAddress().getHostAddress() + ":" + dns.address().getPort()
                        + ": " + ALLOWED + " -> " + apiIp + ", " + DENIED + " -> " + exfilIp);
                EgressPolicy policy = EgressPolicy.denyAll()
                        .allow(ALLOWED)
                        .withUpstream(dns.address());
                step("egress policy: " + policy.toString().strip().replace("\n", " | "));
                step("building an image from " + context.resolve("Dockerfile") + " and starting a sandbox");
                try (Sandbox sandbox = Sandbox.builder()
                        .dockerfile(context)
                        .mount(project, "/project")
                        .publish(8080)
                        .cpus(1)
                        .memory("256m")
                        .env("MODE", "demo")
                        .workdir("/project")
                        .label("example", "demo")
                        .egress(policy)
                        .start()) {
                    String name = sandbox.name();
                    step("sandbox " + name + " (" + sandbox.id().substring(0, 12) + ") is running on "
                            + sandbox.runtimeName());
                    session(sandbox, project, apiIp, exfilIp);
                    auditLog(sandbox);
                }
                step("the DNS upstream was asked only for: " + String.join(", ", dns.queriedNames().stream()
                        .map(n -> n.substring(0, n.length() - 1)).distinct().toList())
                        + " (denied names never leave the sandbox's interceptor)");
            }
            step("what reached the fake internet: " + ALLOWED + "'s server "
                    + (internet.seenSince(0, "http", apiIp, 80).isEmpty() ? "nothing" : "the request")
                    + ", " + DENIED + "'s server " + (internet.seenSince(0, "tcp", exfilIp, 80).isEmpty() ? "nothing" : "A REQUEST"));
        }
        step("cleaned up: sandbox, its network and firewall table, the namespace, the DNS server");
    }

    /** What an agent would do, one shell tool call at a time. */
    private void session(Sandbox sandbox, Path project, String apiIp, String exfilIp) throws Exception {
        ShellTool shell = ShellTool.builder(sandbox)
                .headBytes(2048)
                .tailBytes(2048)
                .timeout(Duration.ofSeconds(20))
                .build();
        agent(shell, "echo \"hello from $(hostname), MODE=$MODE\"; ls -l");
        agent(shell, "awk '{s += $1} END {print s \" fruits\"}' notes.txt > total.txt && cat total.txt");
        step("the sandbox wrote total.txt into the mounted project: "
                + Files.readString(project.resolve("total.txt")).strip());

        agent(shell, "mkdir -p /srv && echo 'served from inside the sandbox' > /srv/index.html"
                + " && httpd -p 8080 -h /srv && echo started httpd on 8080");
        int port = sandbox.hostPort(8080);
        step("the host calls the sandbox's server: GET http://127.0.0.1:" + port + "/ -> "
                + get("http://127.0.0.1:" + port + "/").strip());

        // busybox wget in a FROM scratch image cannot resolve names (static glibc has no NSS there), so the agent
        // resolves with nslookup and speaks HTTP with nc: the interceptor learns the address it released.
        ShellResult allowed = agent(shell, "ip=$(nslookup " + ALLOWED + " | awk '/^Address/ {a=$2} END {print a}');"
                + " echo \"" + ALLOWED + " is $ip\"; " + httpGet("$ip", ALLOWED));
        ShellResult deniedByName = agent(shell, "nslookup " + DENIED);
        ShellResult deniedByAddress = agent(shell, httpGet(exfilIp, DENIED));
        step("allowed host " + ALLOWED + ": " + (allowed.succeeded() && allowed.stdout().contains("sunny")
                ? "resolved to " + apiIp + " and fetched " + lastLine(allowed.stdout()) : "FAILED: " + allowed.render()));
        step("denied host " + DENIED + ": " + (deniedByName.succeeded() ? "RESOLVED (unexpected)"
                : "refused by DNS (NXDOMAIN)") + "; connecting to its address " + exfilIp + " directly: "
                + (deniedByAddress.succeeded() ? "CONNECTED (unexpected)" : "refused by the firewall"));
    }

    /** A shell command that GETs / from an address with nc and prints the body; fails when it cannot connect. */
    static String httpGet(String address, String host) {
        return "printf 'GET / HTTP/1.0\\r\\nHost: " + host + "\\r\\n\\r\\n' | nc -w 5 " + address + " 80"
                + " | sed '1,/^\\r*$/d' | grep .";
    }

    private ShellResult agent(ShellTool shell, String command) {
        out.println("agent> " + command);
        ShellResult r = shell.run(command);
        r.render().lines().forEach(l -> out.println("    | " + l));
        return r;
    }

    private void auditLog(Sandbox sandbox) {
        step("egress audit log:");
        for (EgressEvent e : sandbox.egressLog().events()) {
            if (e instanceof EgressEvent.DnsDecision d) {
                out.println("    " + d.verdict() + " " + d.qtype() + " " + d.qname() + " -> "
                        + (d.answers().isEmpty() ? d.rcode() : String.join(",", d.answers()))
                        + (d.rule().isEmpty() ? "" : "  (rule: " + d.rule() + ")"));
            } else if (e instanceof EgressEvent.DroppedConnections c) {
                out.println("    DROPPED " + c.packets() + " packets (" + c.counter() + ")");
            } else if (e instanceof EgressEvent.QueriesShed s) {
                out.println("    SHED " + s.count() + " queries: " + s.reason());
            } else if (e instanceof EgressEvent.EnforcementLost l) {
                out.println("    ENFORCEMENT LOST: " + l.reason() + " (" + l.action() + ")");
            }
        }
    }

    private static String lastLine(String s) {
        List<String> lines = s.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** A build context holding the host's static busybox and a FROM scratch Dockerfile. */
    static Path imageContext(Path dir) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            throw new IllegalStateException("/bin/busybox is missing: install it with `apt-get install busybox-static`");
        }
        Files.createDirectories(dir);
        Files.copy(busybox, dir.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/project"]
                ENV PATH=/bin
                """);
        return dir;
    }

    private void step(String text) {
        out.println("==> " + text);
    }

    static String get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        IOException last = null;
        for (int i = 0; i < 30; i++) {
            try {
                return client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
