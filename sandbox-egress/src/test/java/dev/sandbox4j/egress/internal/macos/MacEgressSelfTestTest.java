package dev.sandbox4j.egress.internal.macos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.relay.GuestPair;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.contract.RuntimeRequirement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The start-up self-test of a policed Apple sandbox, run for real: the session's relay in this JVM, the amd64
 * guest piece and a workload under Podman in the conditions of the VM ({@link GuestPair}), the probe run through
 * the workload's exec. With the relay's socket reachable it passes; with the guest pointed at an empty
 * directory (relay up, JVM unreachable) it refuses the start.
 */
class MacEgressSelfTestTest {
    private static MacEgressSession session() {
        MacEgressProvider provider = new MacEgressProvider(CommandRunner.system(), backend -> "localhost/init:test");
        return (MacEgressSession) provider.prepare(Sandbox.builder().image("localhost/busybox:latest")
                .egress(EgressPolicy.denyAll().allow("a.example")
                        .withUpstream(new InetSocketAddress("127.0.0.1", 9)))
                .build(), new FakeAppleBackend(), "sb4j-selftest", Map.of());
    }

    private static ExecResult result(CommandResult r) {
        return new ExecResult(r.argv(), r.exitCode(), r.stdoutBytes(), r.stderrBytes(), Duration.ZERO, 0);
    }

    @Test
    void theSelfTestPassesWhenTheGuestReachesThisJvmAndRecordsItsProbes() {
        RuntimeRequirement.require("podman");
        try (MacEgressSession session = session();
             GuestPair pair = GuestPair.start(session.relay().socket().getParent())) {
            // when
            session.attached(null, null, exec -> result(pair.exec(exec.command().get(2))));

            // then
            assertThat(session.log().events()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
                    EgressEvent.DnsDecision.class, d -> assertThat(d.qname()).startsWith("sb4j-selftest-")));
            assertThat(session.relay().counters().denied()).isPositive();
            assertThat(session.relay().counters().relayed()).isZero();
        }
    }

    @Test
    void theSelfTestRefusesTheStartWhenTheGuestCannotReachThisJvm() throws IOException {
        RuntimeRequirement.require("podman");
        Path empty = Files.createTempDirectory("sb4j-nosocket");
        try (MacEgressSession session = session(); GuestPair pair = GuestPair.start(empty)) {
            assertThatThrownBy(() -> session.attached(null, null, exec -> result(pair.exec(exec.command().get(2)))))
                    .isInstanceOf(SandboxStartException.class)
                    .hasMessageContaining("did not reach this JVM through the relay");
        } finally {
            Files.deleteIfExists(empty);
        }
    }
}
