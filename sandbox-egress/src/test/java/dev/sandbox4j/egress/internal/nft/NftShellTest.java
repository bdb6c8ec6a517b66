package dev.sandbox4j.egress.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.spi.CommandRunner;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against the real nft, in a network namespace of the test's own (root not needed): the sandbox table is loaded,
 * elements go in through the persistent process.
 */
class NftShellTest {
    private final String table = "sandbox4j_shelltest";
    private PrivateNetns netns;
    private NftShell shell;
    private NftRuleset ruleset;

    @BeforeEach
    void createTable() throws Exception {
        netns = PrivateNetns.create().orElse(null);
        Assumptions.assumeTrue(netns != null || System.getenv("SANDBOX4J_REQUIRE_RUNTIME") != null,
                "nft, unshare or nsenter is not installed");
        shell = new NftShell(CommandRunner.system(), netns.nft());
        ruleset = new NftRuleset(table, InetAddress.getByName("10.255.255.1"), 40053, List.of(), List.of(), false,
                List.of());
        shell.applyScript(ruleset.create(), Duration.ofSeconds(10));
    }

    @AfterEach
    void deleteTable() {
        if (shell != null) {
            shell.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void addedElementsAreInTheSetWithATimeout() throws Exception {
        shell.apply(ruleset.addElements(List.of(InetAddress.getByName("198.51.100.7")), List.of(),
                Duration.ofSeconds(300)), Duration.ofSeconds(5));
        shell.apply(ruleset.addElements(List.of(InetAddress.getByName("198.51.100.8")), List.of(443),
                Duration.ofSeconds(60)), Duration.ofSeconds(5));

        String sets = shell.query(List.of("list", "table", "inet", table), Duration.ofSeconds(5));

        assertThat(sets).contains("198.51.100.7 timeout 5m").contains("198.51.100.8 . 443 timeout 1m");
    }

    @Test
    void aRejectedCommandFailsAndTheShellKeepsWorking() throws Exception {
        assertThatThrownBy(() -> shell.apply("add element inet " + table + " nosuchset { 198.51.100.9 }",
                Duration.ofSeconds(5))).isInstanceOf(SandboxException.class).hasMessageContaining("rejected");

        shell.apply(ruleset.addElements(List.of(InetAddress.getByName("198.51.100.10")), List.of(),
                Duration.ofSeconds(30)), Duration.ofSeconds(5));

        assertThat(shell.query(List.of("list", "set", "inet", table, "a4"), Duration.ofSeconds(5)))
                .contains("198.51.100.10").doesNotContain("198.51.100.9");
    }

    @Test
    void aKilledUpdaterIsSeenGoneAndTheNextCommandStartsANewOne() throws Exception {
        // given
        shell.start(Duration.ofSeconds(5));
        long first = shell.updaterPid().orElseThrow();

        // when
        ProcessHandle.of(first).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (shell.updaterPid().isPresent() && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }

        // then
        assertThat(shell.updaterPid()).as("the dead updater is not reported alive").isEmpty();
        shell.apply(ruleset.addElements(List.of(InetAddress.getByName("198.51.100.14")), List.of(),
                Duration.ofSeconds(30)), Duration.ofSeconds(5));
        assertThat(shell.updaterPid()).isPresent();
        assertThat(shell.updaterPid().getAsLong()).isNotEqualTo(first);
        assertThat(shell.query(List.of("list", "set", "inet", table, "a4"), Duration.ofSeconds(5)))
                .contains("198.51.100.14");
    }

    @Test
    void reAddingAnAddressIsConfirmedThroughTheAckSet() throws Exception {
        NftAddressSink sink = new NftAddressSink(ruleset, shell, Duration.ofSeconds(10), Duration.ofSeconds(2));
        dev.sandbox4j.egress.internal.LearnedAddresses learned = new dev.sandbox4j.egress.internal.LearnedAddresses(
                "x.example.", List.of(), List.of(InetAddress.getByName("198.51.100.12")), Duration.ofSeconds(30),
                dev.sandbox4j.egress.AllowedPorts.ALL);

        sink.allow(learned);
        long t0 = System.nanoTime();
        sink.allow(learned);
        long secondMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(secondMillis).as("confirmed, not timed out").isLessThan(1000);
        assertThat(shell.query(List.of("list", "set", "inet", table, "a4"), Duration.ofSeconds(5)))
                .contains("198.51.100.12");
    }

    @Test
    void flushingRevokesEveryLearnedAddress() throws Exception {
        shell.apply(ruleset.addElements(List.of(InetAddress.getByName("198.51.100.11")), List.of(),
                Duration.ofSeconds(30)), Duration.ofSeconds(5));

        shell.applyScript(ruleset.flushLearned(), Duration.ofSeconds(5));

        assertThat(shell.query(List.of("list", "set", "inet", table, "a4"), Duration.ofSeconds(5)))
                .doesNotContain("198.51.100.11");
    }
}
