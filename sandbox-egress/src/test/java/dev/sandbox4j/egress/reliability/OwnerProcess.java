package dev.sandbox4j.egress.reliability;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.ReapReport;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.internal.DefaultSandbox;
import dev.sandbox4j.internal.Reaper;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The owner JVM of the reliability tests, started by them on the test class path. Modes:
 * <ul>
 *   <li>{@code crash PORT NAME IP COUNT}: starts COUNT policed sandboxes (deny-all, NAME allowed, DNS upstream
 *       127.0.0.1:PORT), resolves NAME and connects to IP:80 in each to prove egress works, prints
 *       {@code SANDBOX <name> <id>} per sandbox and {@code READY}, then waits to be killed;</li>
 *   <li>{@code exit PORT NAME}: starts one policed sandbox and one detached allow-all sandbox, prints
 *       {@code SANDBOX ...}, {@code DETACHED ...} and {@code READY}, and returns from main without closing either,
 *       so the JVM shutdown hook must do it;</li>
 *   <li>{@code reap}: starts and closes one allow-all sandbox (its first start in this JVM), waits for the
 *       start-up reaping pass and prints {@code REAPED <name>} for each container, table and network it removed.</li>
 * </ul>
 * Everything else goes to stderr.
 */
public final class OwnerProcess {
    private OwnerProcess() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "crash" -> crash(Integer.parseInt(args[1]), args[2], args[3], Integer.parseInt(args[4]));
            case "exit" -> exit(Integer.parseInt(args[1]), args[2]);
            case "reap" -> reap();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static EgressPolicy policy(int port, String name) {
        return EgressPolicy.denyAll().allow(name).withUpstream(new InetSocketAddress("127.0.0.1", port));
    }

    private static void crash(int port, String name, String ip, int count) throws InterruptedException {
        List<Sandbox> sandboxes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Sandbox s = Sandbox.builder().image(TestImages.busybox()).runtime("podman").egress(policy(port, name))
                    .label("reliability-test", "crash").start();
            sandboxes.add(s);
            ExecResult lookup = s.exec("nslookup", name);
            ExecResult get = s.exec("sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " 80");
            if (!lookup.stdout().contains(ip) || !get.stdout().contains("hello from")) {
                throw new IllegalStateException("egress does not work before the crash: " + lookup + get);
            }
            System.out.println("SANDBOX " + ((DefaultSandbox) s).name() + " " + s.id());
        }
        System.out.println("READY");
        System.out.flush();
        TimeUnit.MINUTES.sleep(10);
    }

    private static void exit(int port, String name) {
        Sandbox policed = Sandbox.builder().image(TestImages.busybox()).runtime("podman").egress(policy(port, name))
                .label("reliability-test", "exit").start();
        Sandbox detached = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).detached(true).label("reliability-test", "exit").start();
        System.out.println("SANDBOX " + ((DefaultSandbox) policed).name() + " " + policed.id());
        System.out.println("DETACHED " + ((DefaultSandbox) detached).name() + " " + detached.id());
        System.out.println("READY");
        System.out.flush();
    }

    private static void reap() throws Exception {
        try (Sandbox s = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).label("reliability-test", "reap").start()) {
            s.exec("true");
        }
        ReapReport report = Reaper.startupPass("podman").orElseThrow().get(2, TimeUnit.MINUTES);
        for (List<String> items : List.of(report.containers(), report.hostState(), report.networks())) {
            items.forEach(i -> System.out.println("REAPED " + i));
        }
        report.failures().forEach(f -> System.out.println("FAILED " + f));
        System.out.println("READY");
        System.out.flush();
    }
}
