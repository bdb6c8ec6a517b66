package dev.sandbox4j.internal.podman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.Exec;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxClosedException;
import dev.sandbox4j.SandboxPool;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PodmanPoolTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private SandboxSpec spec;
    private RuntimeBackend backend;

    @BeforeEach
    void spec() {
        RuntimeRequirement.require("podman");
        spec = Sandbox.builder().image(TestImages.busybox()).runtime("podman").label("pool-run", run)
                .egress(EgressPolicy.allowAll()).build();
        backend = Runtimes.backend(Optional.of("podman"));
    }

    private int containers() {
        return backend.list(Map.of("pool-run", run), Duration.ofSeconds(30)).size();
    }

    private static void awaitAvailable(SandboxPool pool, int n) throws InterruptedException {
        for (int i = 0; i < 300 && pool.available() < n; i++) {
            Thread.sleep(50);
        }
        assertThat(pool.available()).isEqualTo(n);
    }

    @Test
    void warmSandboxesAreHandedOutAndRefilledInTheBackground() throws Exception {
        try (SandboxPool pool = SandboxPool.builder(spec).size(2).build()) {
            awaitAvailable(pool, 2);

            try (Sandbox sandbox = pool.acquire()) {
                assertThat(sandbox.exec("echo", "pooled").stdout()).isEqualTo("pooled\n");
            }

            awaitAvailable(pool, 2);
            for (int i = 0; i < 100 && containers() != 2; i++) {
                Thread.sleep(100);
            }
            assertThat(containers()).as("two warm, the used one discarded").isEqualTo(2);
        }
        assertThat(containers()).isZero();
    }

    @Test
    void aReleasedSandboxIsDiscardedNotReused() throws Exception {
        try (SandboxPool pool = SandboxPool.builder(spec).size(1).build()) {
            awaitAvailable(pool, 1);
            Sandbox first = pool.acquire();
            String id = first.id();
            first.exec("touch", "/tmp/dirty").requireSuccess();

            first.close();
            awaitAvailable(pool, 1);

            try (Sandbox second = pool.acquire()) {
                assertThat(second.id()).isNotEqualTo(id);
                assertThat(second.exec("test", "-e", "/tmp/dirty").exitCode()).isEqualTo(1);
            }
            assertThatThrownBy(() -> first.exec("true")).isInstanceOf(SandboxClosedException.class);
        }
    }

    @Test
    void withAResetCommandAReleasedSandboxIsCleanedAndReused() throws Exception {
        Exec reset = Exec.of("rm", "-f", "/tmp/dirty");
        try (SandboxPool pool = SandboxPool.builder(spec).size(1).resetCommand(reset).build()) {
            awaitAvailable(pool, 1);
            Sandbox first = pool.acquire();
            String id = first.id();
            first.exec("touch", "/tmp/dirty").requireSuccess();
            first.close();
            awaitAvailable(pool, 1);

            try (Sandbox again = pool.acquire()) {
                assertThat(again.id()).isEqualTo(id);
                assertThat(again.exec("test", "-e", "/tmp/dirty").exitCode()).isEqualTo(1);
            }
        }
        assertThat(containers()).isZero();
    }

    @Test
    void anEmptyPoolStartsASandboxOnTheCallersThread() {
        try (SandboxPool pool = SandboxPool.builder(spec).size(0).build();
             Sandbox sandbox = pool.acquire()) {
            assertThat(sandbox.exec("true").exitCode()).isZero();
        }
        assertThat(containers()).isZero();
    }
}
