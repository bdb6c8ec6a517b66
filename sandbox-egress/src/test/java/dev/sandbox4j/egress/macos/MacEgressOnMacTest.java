package dev.sandbox4j.egress.macos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.Exec;
import dev.sandbox4j.ExecResult;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import dev.sandbox4j.egress.EgressEvent;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The points of macOS egress control that only a Mac can show, against the real {@code container} and the real
 * internet: a policed sandbox starts for a non-root JVM, its VM boots the guest piece, and allowed, denied,
 * raw-IP, foreign-resolver, ICMP and capability probes behave as on Linux, each negative paired with a positive
 * control. It reaches the internet (one allowed name, default {@code example.com}), so it runs only when
 * {@code scripts/verify-mac-egress.sh} sets {@code SANDBOX4J_MAC_EGRESS_VERIFY=1}; no CI job sets it.
 */
@EnabledIfEnvironmentVariable(named = "SANDBOX4J_MAC_EGRESS_VERIFY", matches = "1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MacEgressOnMacTest {
    private static final String ALLOWED = System.getenv().getOrDefault("SANDBOX4J_VERIFY_ALLOWED", "example.com");
    private static final String DENIED = System.getenv().getOrDefault("SANDBOX4J_VERIFY_DENIED", "example.net");
    /** TEST-NET: never routed, so even a broken policy sends nothing anywhere. */
    private static final String NEVER_LEARNED = "192.0.2.1";
    private Sandbox sandbox;

    @BeforeAll
    void start() {
        RuntimeRequirement.require("apple-container");
        assertThat(System.getProperty("user.name")).as("the point is a JVM that is not root").isNotEqualTo("root");
        sandbox = Sandbox.builder().image(TestImages.busyboxForAppleContainer()).runtime("apple-container")
                .egress(EgressPolicy.denyAll().allow(ALLOWED)).start();
    }

    @AfterAll
    void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private ExecResult sh(String script) {
        return sandbox.exec("sh", "-c", script);
    }

    private ExecResult get(String host) {
        return sh("printf 'HEAD / HTTP/1.0\\r\\nHost: " + host + "\\r\\n\\r\\n' | nc -w 5 " + host + " 80");
    }

    @Test
    void theVmBootedTheGuestPieceAndItFoundTheRelaySocket() {
        CommandResult boot = CommandRunner.system().run(Command.of(List.of("container", "logs", "--boot",
                sandbox.id()), Duration.ofSeconds(30)));

        assertThat(boot.stdout() + boot.stderr()).contains("sb4j-guest: egress redirects in place")
                .contains("sb4j-guest: relaying to /run/sockets/");
    }

    @Test
    void anAllowedNameResolvesAndConnectsWhileADeniedOneIsNxdomain() {
        ExecResult allowed = sh("nslookup " + ALLOWED);
        ExecResult connect = get(ALLOWED);
        ExecResult denied = sh("nslookup " + DENIED);

        assertThat(allowed.exitCode()).isZero();
        assertThat(connect.stdout()).startsWith("HTTP/1.");
        assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
    }

    @Test
    void aRawAddressIsRefusedByTheJvmWhileTheAllowedNameConnects() {
        ExecResult raw = sh("printf 'x' | nc -w 5 " + NEVER_LEARNED + " 80; echo done");
        ExecResult allowed = get(ALLOWED);

        assertThat(allowed.stdout()).startsWith("HTTP/1.");
        assertThat(raw.stdout()).isEqualTo("done\n");
        assertThat(sandbox.egressLog().events()).anySatisfy(e -> assertThat(e)
                .isInstanceOf(EgressEvent.DroppedConnections.class));
    }

    @Test
    void dnsToAnotherResolverIsAnsweredByTheInterceptor() {
        // a real 9.9.9.9 would answer the denied name; NXDOMAIN Prohibited proves the interceptor answered
        ExecResult denied = sh("nslookup " + DENIED + " 9.9.9.9");
        ExecResult allowed = sh("nslookup " + ALLOWED + " 9.9.9.9");

        assertThat(allowed.exitCode()).isZero();
        assertThat(denied.stdout() + denied.stderr()).contains("NXDOMAIN");
    }

    @Test
    void icmpCannotLeaveWhileTcpDoes() {
        ExecResult ping = sh("ping -c 1 -W 2 9.9.9.9; echo rc=$?");
        ExecResult tcp = get(ALLOWED);

        assertThat(tcp.stdout()).startsWith("HTTP/1.");
        assertThat(ping.stdout()).doesNotContain("rc=0");
    }

    @Test
    void everyExecPathLacksNetAdminAndNetRaw() {
        for (String user : List.of("0", "1000")) {
            ExecResult caps = sandbox.exec(Exec.builder("sh", "-c", "grep CapEff /proc/self/status; "
                    + "ip route del default; echo route=$?").user(user).build());
            String hex = caps.stdout().lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow()
                    .substring("CapEff:".length()).strip();

            assertThat(Long.parseLong(hex, 16) & (3L << 12)).as("NET_ADMIN and NET_RAW for user " + user).isZero();
            assertThat(caps.stdout()).doesNotContain("route=0");
        }
        assertThat(get(ALLOWED).stdout()).startsWith("HTTP/1.");
    }
}
