package dev.sandbox4j.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandbox4j.SandboxConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configurations a fake internet refuses before it touches the host: these fail at the builder or at the start of
 * {@code start()}, on any host, root or not, and make no namespace.
 */
class FakeInternetConfigTest {
    @TempDir
    Path dir;

    @Test
    void aLinkOutsideTheDocumentationRangesIsRefusedAtTheBuilder() {
        // given
        FakeInternet.Builder b = FakeInternet.builder();

        // when / then
        assertThatThrownBy(() -> b.link("10.0.0.1", "10.0.0.2")).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("outside the fake internet's ranges").hasMessageContaining("203.0.113.10");
    }

    @Test
    void aServerInsideTheLinksSubnetIsRefusedBeforeAnythingIsMade() {
        // given
        FakeInternet.Builder b = FakeInternet.builder().link("198.51.100.5", "198.51.100.6").echo("198.51.100.6", 80);

        // when / then
        assertThatThrownBy(b::start).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("198.51.100.6 is inside the link's /30");
    }

    @Test
    void moreAddresslessWebServersThanTheirRangeHoldsAreRefusedBeforeAnythingIsMade() {
        // given
        FakeInternet.Builder b = FakeInternet.builder();
        for (int i = 0; i < 124; i++) {
            b.web(dir);
        }

        // when / then
        assertThatThrownBy(b::start).isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("124 web servers without an address").hasMessageContaining("web(address, port");
    }
}
