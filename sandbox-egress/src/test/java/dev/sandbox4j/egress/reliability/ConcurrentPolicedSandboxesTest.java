package dev.sandbox4j.egress.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.dns.TestZone;
import dev.sandbox4j.egress.testbed.TestBed;
import dev.sandbox4j.internal.DefaultSandbox;
import dev.sandbox4j.testing.FakeInternet;
import dev.sandbox4j.testing.TestDnsServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sixteen policed sandboxes started from eight threads at once on a two-core machine: every start succeeds
 * within its timeout, no sandbox sees another's allowances (each allows its own name; even ones point at one
 * fake-internet server, odd ones at the other, so every sandbox has a reachable address and a forbidden one),
 * and closing them concurrently leaves nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrentPolicedSandboxesTest {
    private static final int SANDBOXES = 16;
    private static final int THREADS = 8;

    private FakeInternet internet;
    private TestDnsServer authority;

    @BeforeAll
    void startTestBed() throws Exception {
        RuntimeRequirement.require("podman");
        TestImages.busybox();
        internet = TestBed.fakeInternet();
        authority = TestZone.server();
        for (int i = 0; i < SANDBOXES; i++) {
            authority.add("n" + i + " 60 A " + ownIp(i));
        }
    }

    @AfterAll
    void stopTestBed() throws Exception {
        if (authority != null) {
            authority.close();
        }
        if (internet != null) {
            internet.close();
        }
    }

    private static String name(int i) {
        return "n" + i + ".test.sandbox4j.example";
    }

    private static String ownIp(int i) {
        return i % 2 == 0 ? FakeInternet.ALLOWED_IP : FakeInternet.DENIED_IP;
    }

    private static String otherIp(int i) {
        return ownIp(i + 1);
    }

    private static ExecResult sh(Sandbox s, String script) {
        return s.exec("sh", "-c", script);
    }

    private static ExecResult get(Sandbox s, String ip) {
        return sh(s, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " 80");
    }

    @Test
    void sixteenPolicedSandboxesStartedFromEightThreadsKeepTheirPoliciesApartAndLeaveNothingWhenClosedConcurrently()
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Sandbox> sandboxes = new ArrayList<>();
        try {
            List<Future<Sandbox>> starts = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < SANDBOXES; i++) {
                int n = i;
                starts.add(pool.submit(() -> Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                        .egress(EgressPolicy.denyAll().allow(name(n)).withUpstream(authority.address()))
                        .startupTimeout(Duration.ofSeconds(120)).label("reliability-test", "concurrent").start()));
            }
            List<Throwable> failures = new ArrayList<>();
            for (Future<Sandbox> f : starts) {
                try {
                    sandboxes.add(f.get(5, TimeUnit.MINUTES));
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            long startMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(failures).as("failed starts").isEmpty();
            System.out.printf("started %d policed sandboxes from %d threads in %d ms%n", SANDBOXES, THREADS,
                    startMillis);

            List<Future<List<String>>> probes = new ArrayList<>();
            int mark = internet.mark();
            for (int i = 0; i < SANDBOXES; i++) {
                int n = i;
                Sandbox s = sandboxes.get(n);
                probes.add(pool.submit((Callable<List<String>>) () -> {
                    List<String> wrong = new ArrayList<>();
                    ExecResult own = sh(s, "nslookup " + name(n));
                    ExecResult neighbour = sh(s, "nslookup " + name((n + 1) % SANDBOXES));
                    ExecResult reachable = get(s, ownIp(n));
                    ExecResult forbidden = get(s, otherIp(n));
                    if (!own.stdout().contains(ownIp(n))) {
                        wrong.add(n + ": own name did not resolve: " + own.stdout() + own.stderr());
                    }
                    if (!(neighbour.stdout() + neighbour.stderr()).contains("NXDOMAIN")) {
                        wrong.add(n + ": neighbour's name was not denied: " + neighbour.stdout());
                    }
                    if (!reachable.stdout().contains("hello from " + ownIp(n))) {
                        wrong.add(n + ": own address unreachable: " + reachable.stderr());
                    }
                    if (forbidden.exitCode() == 0 || forbidden.stdout().contains("hello")) {
                        wrong.add(n + ": the other address was reachable");
                    }
                    return wrong;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> f : probes) {
                wrong.addAll(f.get(5, TimeUnit.MINUTES));
            }
            assertThat(wrong).isEmpty();
            assertThat(internet.seenSince(mark, "tcp", FakeInternet.ALLOWED_IP, 80)).hasSize(SANDBOXES / 2);
            assertThat(internet.seenSince(mark, "tcp", FakeInternet.DENIED_IP, 80)).hasSize(SANDBOXES / 2);
        } finally {
            List<String> names = sandboxes.stream().map(s -> ((DefaultSandbox) s).name()).toList();
            long t1 = System.nanoTime();
            List<Future<?>> closes = new ArrayList<>();
            for (Sandbox s : sandboxes) {
                closes.add(pool.submit(s::close));
            }
            for (Future<?> f : closes) {
                f.get(5, TimeUnit.MINUTES);
            }
            System.out.printf("closed %d policed sandboxes from %d threads in %d ms%n", sandboxes.size(), THREADS,
                    (System.nanoTime() - t1) / 1_000_000);
            pool.shutdownNow();
            for (String name : names) {
                assertThat(HostState.leftovers(name)).isEmpty();
            }
        }
    }
}
