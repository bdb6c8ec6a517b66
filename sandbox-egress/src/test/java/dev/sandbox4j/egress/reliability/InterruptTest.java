package dev.sandbox4j.egress.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.internal.dns.TestZone;
import dev.sandbox4j.internal.DefaultSandbox;
import dev.sandbox4j.testing.TestDnsServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interrupting a thread blocked in {@code start()} or {@code exec()}: it returns promptly with an exception, its
 * interrupt flag is still set, and nothing it made is left behind, on the host or in the sandbox.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterruptTest {
    private TestDnsServer authority;

    @BeforeAll
    void startUpstream() throws Exception {
        RuntimeRequirement.require("podman");
        TestImages.busybox();
        authority = TestZone.server();
    }

    @AfterAll
    void stopUpstream() throws Exception {
        if (authority != null) {
            authority.close();
        }
    }

    /** What a thread saw when it finished: its exception and whether its interrupt flag was set. */
    private record Outcome(Throwable error, boolean interruptFlag, Object value) {
    }

    private static CompletableFuture<Outcome> runInterruptibly(java.util.concurrent.Callable<Object> body,
                                                               AtomicReference<Thread> thread) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            Object value = null;
            Throwable error = null;
            try {
                value = body.call();
            } catch (Throwable e) {
                error = e;
            }
            outcome.complete(new Outcome(error, Thread.currentThread().isInterrupted(), value));
        }, "interrupt-test");
        thread.set(t);
        t.start();
        return outcome;
    }

    @ParameterizedTest(name = "interrupted after {0} ms")
    @ValueSource(ints = {50, 150, 300, 500})
    void anInterruptedPolicedStartStopsPromptlyKeepsTheFlagAndLeavesNothingBehind(int delayMillis) throws Exception {
        List<String> before = HostState.ownedByThisJvm();
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Outcome> outcome = runInterruptibly(() -> Sandbox.builder().image(TestImages.busybox())
                .runtime("podman").egress(EgressPolicy.denyAll().allow("alpha.test.sandbox4j.example")
                        .withUpstream(authority.address())).label("reliability-test", "interrupt").start(), thread);

        Thread.sleep(delayMillis);
        long t0 = System.nanoTime();
        thread.get().interrupt();
        Outcome o = outcome.get(30, TimeUnit.SECONDS);
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;

        if (o.value() instanceof Sandbox s) {
            // The start finished before the interrupt arrived: nothing to prove about interrupts; clean up.
            s.close();
            org.junit.jupiter.api.Assumptions.abort("the start finished before the interrupt arrived");
        } else {
            assertThat(o.error()).isInstanceOf(SandboxException.class);
            assertThat(o.interruptFlag()).as("interrupt flag preserved").isTrue();
            assertThat(stopMillis).as("stopped promptly, cleanup included").isLessThan(15_000);
        }
        assertThat(HostState.ownedByThisJvm()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(HostState.tablesWithoutNetwork()).isEmpty();
    }

    @Test
    void anInterruptedExecStopsPromptlyKeepsTheFlagAndKillsTheCommandInsideTheSandbox() throws Exception {
        try (Sandbox sandbox = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.allowAll()).label("reliability-test", "interrupt").start()) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<Outcome> outcome = runInterruptibly(() -> sandbox.exec("sh", "-c", "sleep 37; echo done"),
                    thread);
            awaitProcess(sandbox, "sleep 37", true);

            long t0 = System.nanoTime();
            thread.get().interrupt();
            Outcome o = outcome.get(30, TimeUnit.SECONDS);
            long stopMillis = (System.nanoTime() - t0) / 1_000_000;

            assertThat(o.error()).isInstanceOf(SandboxException.class).hasCauseInstanceOf(InterruptedException.class);
            assertThat(o.interruptFlag()).isTrue();
            assertThat(stopMillis).isLessThan(5_000);
            awaitProcess(sandbox, "sleep 37", false);
        }
    }

    @Test
    void anInterruptedThreadStillClosesAPolicedSandboxCompletelyAndKeepsItsFlag() {
        Sandbox sandbox = Sandbox.builder().image(TestImages.busybox()).runtime("podman")
                .egress(EgressPolicy.denyAll().withUpstream(authority.address())).label("reliability-test", "interrupt")
                .start();
        String name = ((DefaultSandbox) sandbox).name();
        List<String> whileOpen = HostState.leftovers(name);
        AtomicBoolean flagAfterClose = new AtomicBoolean();

        Thread.currentThread().interrupt();
        try {
            sandbox.close();
        } finally {
            flagAfterClose.set(Thread.interrupted());
        }

        assertThat(whileOpen).contains(HostState.policed(name));
        assertThat(flagAfterClose).isTrue();
        assertThat(HostState.leftovers(name)).isEmpty();
    }

    private static void awaitProcess(Sandbox sandbox, String command, boolean present) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean found;
        do {
            ExecResult ps = sandbox.exec("ps", "-o", "args");
            found = ps.stdout().lines().anyMatch(l -> l.strip().equals(command));
            if (found == present) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("process \"" + command + "\" " + (present ? "never appeared" : "still runs"));
    }
}
