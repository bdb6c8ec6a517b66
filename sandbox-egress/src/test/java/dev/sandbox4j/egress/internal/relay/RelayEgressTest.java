package dev.sandbox4j.egress.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.egress.EgressRecorder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayEgressTest {
    @TempDir
    Path tmp;

    private static EgressPolicy policy() {
        return EgressPolicy.denyAll().allow("a.example").withUpstream(new InetSocketAddress("127.0.0.1", 9));
    }

    @Test
    void theSocketLivesInAPrivateDirectoryNamedForThisJvmAndGoesAwayOnClose() {
        // when
        Path dir;
        try (RelayEgress relay = RelayEgress.start(policy(), "t", new EgressRecorder("t"), tmp)) {
            dir = relay.socket().getParent();

            // then
            assertThat(dir.getFileName().toString()).startsWith("sb4j-relay-" + ProcessHandle.current().pid() + "-");
            assertThat(relay.socket()).exists();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void directoriesOfDeadJvmsAreRemovedAndThoseOfLiveOnesKept() throws IOException {
        // given: pid 2^31-1 is above any pid_max, so no process has it
        Path dead = Files.createDirectory(tmp.resolve("sb4j-relay-2147483647-abc"));
        Files.createFile(dead.resolve("relay.sock"));
        Path live = Files.createDirectory(tmp.resolve("sb4j-relay-" + ProcessHandle.current().pid() + "-abc"));
        Path other = Files.createDirectory(tmp.resolve("sb4j-relay-notapid-abc"));

        // when
        int removed = RelayEgress.removeStale(tmp);

        // then
        assertThat(removed).isEqualTo(1);
        assertThat(dead).doesNotExist();
        assertThat(live).exists();
        assertThat(other).exists();
    }
}
