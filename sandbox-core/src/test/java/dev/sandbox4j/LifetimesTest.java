package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Idle timeouts, maximum lifetimes and per-conversation sandboxes on real Podman. Waits are bounded polls for a
 * state (closed, container gone), never assertions about how long something took.
 */
class LifetimesTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private SandboxSpec.Builder spec() {
        RuntimeRequirement.require("podman");
        return Sandbox.builder().image(TestImages.busybox()).runtime("podman").label("lifetime-test", run)
                .egress(EgressPolicy.allowAll());
    }

    @Test
    void lifetimesAreCheckedWhenTheSpecIsBuilt() {
        SandboxSpec.Builder b = Sandbox.builder().image("localhost/x:latest");

        assertThatThrownBy(() -> b.idleTimeout(Duration.ofMillis(10)).build())
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("at least 1 second");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofHours(2)).maxLifetime(Duration.ofHours(1)).build())
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("could never apply");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofMinutes(5)).maxLifetime(null).detached(true)
                .egress(EgressPolicy.allowAll()).build())
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("detached");
        assertThat(Sandbox.builder().image("localhost/x:latest").idleTimeout(Duration.ofMinutes(5))
                .maxLifetime(Duration.ofHours(1)).build().toBuilder().build().idleTimeout())
                .contains(Duration.ofMinutes(5));
    }

    @Test
    void anIdleSandboxIsClosedAndItsContainerRemoved() {
        Sandbox sandbox = spec().idleTimeout(Duration.ofSeconds(5)).start();
        try {
            assertThat(containers()).as("the container while the sandbox is open").hasSize(1);
            assertThat(sandbox.exec("echo", "used").stdout()).isEqualTo("used\n");

            boolean closed = await(sandbox::isClosed);

            assertThat(closed).as("closed after going idle").isTrue();
            assertThat(await(() -> containers().isEmpty())).as("container removed").isTrue();
            assertThatThrownBy(() -> sandbox.exec("true")).isInstanceOf(SandboxClosedException.class)
                    .hasMessageContaining("idle for 5 s");
        } finally {
            sandbox.close();
        }
    }

    @Test
    void aCommandRunningLongerThanTheIdleTimeoutKeepsItsSandbox() {
        try (Sandbox sandbox = spec().idleTimeout(Duration.ofSeconds(1)).start()) {
            ExecResult r = sandbox.exec("sh", "-c", "sleep 3; echo done");

            assertThat(r.stdout()).isEqualTo("done\n");
            assertThat(sandbox.isClosed()).isFalse();
        }
    }

    @Test
    void aSandboxInUseIsStillClosedAtItsMaximumLifetime() {
        Sandbox sandbox = spec().maxLifetime(Duration.ofSeconds(2)).start();
        try {
            Throwable during = null;
            try {
                sandbox.exec(Exec.builder("sleep", "60").timeout(Duration.ofSeconds(90)).build());
            } catch (SandboxException e) {
                during = e;
            }

            assertThat(during).as("the exec that outlived the sandbox").isNotNull();
            assertThat(await(sandbox::isClosed)).isTrue();
            assertThat(await(() -> containers().isEmpty())).as("container removed").isTrue();
        } finally {
            sandbox.close();
        }
    }

    @Test
    void aPoolSkipsAWarmSandboxWhoseIdleTimeoutPassedWhileItWaited() {
        try (SandboxPool pool = SandboxPool.builder(spec().idleTimeout(Duration.ofSeconds(1)).build()).size(1)
                .build()) {
            boolean warmStartedAndExpired = await(() -> pool.available() == 1)
                    && await(() -> containers().isEmpty());

            try (Sandbox sandbox = pool.acquire()) {
                ExecResult r = sandbox.exec("echo", "fresh");

                assertThat(warmStartedAndExpired).as("the warm sandbox was started, then closed idle").isTrue();
                assertThat(r.stdout()).isEqualTo("fresh\n");
            }
        }
    }

    @Test
    void conversationsGetTheirOwnSandboxTheSameOneEachTimeAndLoseItWhenIdle() {
        try (ConversationSandboxes sandboxes = ConversationSandboxes.builder(spec().build()).poolSize(1)
                .idleTimeout(Duration.ofSeconds(2)).build()) {
            Sandbox a = sandboxes.get("a");
            a.files().write("/tmp/mine.txt", "a's");
            Sandbox b = sandboxes.get("b");

            boolean bSeesA = b.files().exists("/tmp/mine.txt");
            int running = containers().size();
            String again = sandboxes.get("a").files().readString("/tmp/mine.txt");
            boolean idleClosed = await(() -> sandboxes.find("a").isEmpty() && sandboxes.find("b").isEmpty());
            Sandbox fresh = sandboxes.get("a");

            assertThat(running).as("a's, b's and the pool's warm sandbox").isGreaterThanOrEqualTo(2);
            assertThat(a.id()).isNotEqualTo(b.id());
            assertThat(bSeesA).isFalse();
            assertThat(again).isEqualTo("a's");
            assertThat(idleClosed).isTrue();
            assertThat(a.isClosed()).isTrue();
            assertThat(fresh.id()).isNotEqualTo(a.id());
            assertThat(fresh.files().exists("/tmp/mine.txt")).isFalse();
        }

        assertThat(await(() -> containers().isEmpty())).as("no sandbox left after close").isTrue();
    }

    @Test
    void concurrentFirstCallsForOneConversationShareOneSandbox() throws Exception {
        try (ConversationSandboxes sandboxes = ConversationSandboxes.builder(spec().build()).poolSize(0).build()) {
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
            List<java.util.concurrent.Future<String>> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(threads.submit(() -> sandboxes.get("shared").id()));
            }
            java.util.Set<String> distinct = new java.util.HashSet<>();
            for (java.util.concurrent.Future<String> id : ids) {
                distinct.add(id.get());
            }
            threads.shutdown();

            assertThat(distinct).hasSize(1);
            assertThat(containers()).hasSize(1);
        }
    }

    private List<String> containers() {
        return CommandRunner.system().run(Command.of(List.of("podman", "ps", "-a", "--filter",
                "label=lifetime-test=" + run, "--format", "{{.Names}}"), Duration.ofSeconds(30)))
                .stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Polls for {@code condition} for at most 60 seconds. */
    private static boolean await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
