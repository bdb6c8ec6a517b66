package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeUnavailableExceptionTest {

    @Test
    void messageListsEveryAttemptInOrderWithItsReason() {
        // given
        Map<String, String> reasons = new LinkedHashMap<>();
        reasons.put("apple-container", "needs macOS 26 on Apple silicon; this is LINUX");
        reasons.put("podman", "podman not found on PATH: install it with `apt-get install podman`");

        // when
        RuntimeUnavailableException e = RuntimeUnavailableException.of("no container runtime is usable:", reasons);

        // then
        assertThat(e).hasMessage("""
                no container runtime is usable:
                  - apple-container: needs macOS 26 on Apple silicon; this is LINUX
                  - podman: podman not found on PATH: install it with `apt-get install podman`""");
        assertThat(e.attempts()).extracting(RuntimeUnavailableException.Attempt::runtime)
                .containsExactly("apple-container", "podman");
    }
}
