package dev.sandbox4j.egress.internal.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.egress.AllowedPorts;
import dev.sandbox4j.egress.internal.LearnedAddresses;
import dev.sandbox4j.spi.CommandRunner;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink against the real nft and kernel, in a network namespace of the test's own: a learned entry's lifetime
 * is never shortened by a later, shorter answer, and is extended by a longer one.
 */
class NftAddressSinkTest {
    private static final Duration GRACE = Duration.ofSeconds(0);
    private PrivateNetns netns;
    private NftShell shell;
    private NftRuleset ruleset;
    private NftAddressSink sink;

    @BeforeEach
    void loadTable() throws Exception {
        netns = PrivateNetns.create().orElse(null);
        Assumptions.assumeTrue(netns != null || System.getenv("SANDBOX4J_REQUIRE_RUNTIME") != null,
                "nft, unshare or nsenter is not installed");
        shell = new NftShell(CommandRunner.system(), netns.nft());
        ruleset = new NftRuleset("sandbox4j_sinktest", InetAddress.getByName("10.255.255.1"), 40053, List.of(),
                List.of(), false, List.of());
        shell.applyScript(ruleset.create(), Duration.ofSeconds(10));
        sink = new NftAddressSink(ruleset, shell, GRACE, Duration.ofSeconds(5));
    }

    @AfterEach
    void removeNamespace() {
        if (shell != null) {
            shell.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    private static LearnedAddresses learned(String ip, int ttlSeconds, AllowedPorts ports) throws Exception {
        return new LearnedAddresses("x.example.", List.of(), List.of(InetAddress.getByName(ip)),
                Duration.ofSeconds(ttlSeconds), ports);
    }

    /** Seconds until the element expires, from the kernel's own listing. */
    private long expiresIn(String set, String element) {
        String listing = shell.query(List.of("list", "set", "inet", "sandbox4j_sinktest", set), Duration.ofSeconds(5));
        Matcher m = Pattern.compile(Pattern.quote(element) + " timeout \\S+ expires (?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?")
                .matcher(listing);
        assertThat(m.find()).as("%s in %s", element, listing).isTrue();
        return (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 3600)
                + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 60)
                + (m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
    }

    @Test
    void aShorterTtlForTheSameAddressNeverShortensItsEntry() throws Exception {
        // given
        sink.allow(learned("198.51.100.7", 3000, AllowedPorts.ALL));

        // when
        sink.allow(learned("198.51.100.7", 60, AllowedPorts.ALL));

        // then
        assertThat(expiresIn("a4", "198.51.100.7")).isGreaterThan(2900);
    }

    @Test
    void aLongerTtlForTheSameAddressExtendsItsEntry() throws Exception {
        // given
        sink.allow(learned("198.51.100.8", 60, AllowedPorts.ALL));

        // when
        sink.allow(learned("198.51.100.8", 3000, AllowedPorts.ALL));

        // then
        assertThat(expiresIn("a4", "198.51.100.8")).isGreaterThan(2900);
    }

    @Test
    void portEntriesAndDeniedPortsFollowTheSameRule() throws Exception {
        // given
        AllowedPorts exceptSsh = new AllowedPorts(true, List.of(22));
        sink.allow(learned("198.51.100.9", 3000, exceptSsh));
        sink.allow(learned("198.51.100.10", 3000, new AllowedPorts(false, List.of(443))));

        // when
        sink.allow(learned("198.51.100.9", 60, exceptSsh));
        sink.allow(learned("198.51.100.10", 60, new AllowedPorts(false, List.of(443))));

        // then
        assertThat(expiresIn("a4", "198.51.100.9")).isGreaterThan(2900);
        assertThat(expiresIn("d4p", "198.51.100.9 . 22")).isGreaterThan(2900);
        assertThat(expiresIn("a4p", "198.51.100.10 . 443")).isGreaterThan(2900);
    }

    @Test
    void aRefusingSinkLearnsNothingMore() throws Exception {
        // given
        sink.allow(learned("198.51.100.11", 300, AllowedPorts.ALL));

        // when
        sink.refuse("test");

        // then
        assertThatThrownBy(() -> sink.allow(learned("198.51.100.12", 300, AllowedPorts.ALL)))
                .isInstanceOf(SandboxException.class).hasMessageContaining("test");
        assertThat(shell.query(List.of("list", "set", "inet", "sandbox4j_sinktest", "a4"), Duration.ofSeconds(5)))
                .contains("198.51.100.11").doesNotContain("198.51.100.12");
    }
}
