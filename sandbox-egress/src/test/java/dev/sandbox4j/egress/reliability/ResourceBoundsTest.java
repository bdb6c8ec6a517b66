package dev.sandbox4j.egress.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.dns.TestZone;
import dev.sandbox4j.testing.TestDnsServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Nothing grows with the number of sandboxes started and closed: threads and file descriptors of this JVM are
 * compared before and after many start/close cycles. The JDK's process reaper threads are not counted: the JDK
 * keeps one per live child process and lets each go after a minute idle, and every policed sandbox holds one
 * child (its own {@code nft} updater), so their number follows how many sandboxes ran at once, not how many
 * were started. Slack: a few threads and descriptors may come and go with other JDK housekeeping (the common
 * pool), so growth is measured after warm-up and must stay within {@value #THREAD_SLACK} threads and
 * {@value #FD_SLACK} descriptors whatever the cycle count. Cycle counts: {@code -Dsandbox4j.soak.cycles}
 * (default 200, allow-all) and {@code -Dsandbox4j.soak.policedCycles} (default 30, deny-all, which also covers
 * the DNS interceptor and nftables path). Cycles run on {@value #WORKERS} threads at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourceBoundsTest {
    private static final int THREAD_SLACK = 4;
    private static final int FD_SLACK = 8;
    /** Cycles run on this many threads at once, so the soak also exercises concurrent start and close. */
    private static final int WORKERS = 4;

    private TestDnsServer authority;

    @BeforeAll
    void warmUp() throws IOException {
        RuntimeRequirement.require("podman");
        TestImages.busybox();
        authority = TestZone.server();
    }

    @AfterAll
    void stop() throws IOException {
        if (authority != null) {
            authority.close();
        }
    }

    private Sandbox start(EgressPolicy policy) {
        return Sandbox.builder().image(TestImages.busybox()).runtime("podman").egress(policy)
                .label("reliability-test", "soak").start();
    }

    @Test
    void startingAndClosingAllowAllSandboxesRepeatedlyGrowsNeitherThreadsNorFileDescriptors() throws Exception {
        soak(Integer.getInteger("sandbox4j.soak.cycles", 200), EgressPolicy.allowAll());
    }

    @Test
    void startingAndClosingDenyAllSandboxesRepeatedlyGrowsNeitherThreadsNorFileDescriptors() throws Exception {
        soak(Integer.getInteger("sandbox4j.soak.policedCycles", 30),
                EgressPolicy.denyAll().withUpstream(authority.address()));
    }

    private void soak(int cycles, EgressPolicy policy) throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKERS, WORKERS, 1, TimeUnit.HOURS,
                new LinkedBlockingQueue<>());
        pool.prestartAllCoreThreads();
        try {
            for (int i = 0; i < WORKERS; i++) {
                start(policy).close();
            }
            int threadsBefore = settledThreads();
            long fdsBefore = fds();

            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < cycles; i++) {
                done.add(pool.submit(() -> start(policy).close()));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            int threadsAfter = settledThreads();
            long fdsAfter = fds();
            report(cycles, policy, millis, threadsBefore, threadsAfter, fdsBefore, fdsAfter);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void report(int cycles, EgressPolicy policy, long millis, int threadsBefore, int threadsAfter,
                               long fdsBefore, long fdsAfter) {
        System.out.printf("soak %s: %d cycles on %d threads in %d ms (%d ms each); threads %d -> %d, fds %d -> %d%n",
                policy.allowsEverything() ? "allow-all" : "deny-all", cycles, WORKERS, millis,
                millis / Math.max(1, cycles),
                threadsBefore, threadsAfter, fdsBefore, fdsAfter);
        assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore + THREAD_SLACK);
        assertThat(fdsAfter).isLessThanOrEqualTo(fdsBefore + FD_SLACK);
    }

    @Test
    void execOutputBeyondTheLimitIsDroppedCountedAndReported() {
        try (Sandbox sandbox = start(EgressPolicy.allowAll())) {
            ExecResult r = sandbox.exec(Exec.builder("sh", "-c", "head -c 10000000 /dev/zero; echo end >&2")
                    .maxOutputBytes(64 * 1024).build());

            assertThat(r.stdoutBytes()).hasSize(64 * 1024);
            assertThat(r.droppedBytes()).isEqualTo(10_000_000 - 64 * 1024);
            assertThat(r.truncated()).isTrue();
            assertThat(r.stderr()).isEqualTo("end\n");
        }
    }

    /**
     * Live threads but the JDK's process reapers, once the short-lived ones (output pumps of finished processes,
     * pool workers) are gone.
     */
    private static int settledThreads() throws InterruptedException {
        int last = Integer.MAX_VALUE;
        for (int i = 0; i < 50; i++) {
            System.gc();
            Thread.sleep(100);
            int now = (int) Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !t.getName().equals("process reaper")).count();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
