package dev.sandbox4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PortMappingTest {

    @Test
    void containerPortAloneMeansAnyFreePortOnLoopback() {
        // given
        String text = "8080";

        // when
        PortMapping mapping = PortMapping.parse(text);

        // then
        assertThat(mapping).isEqualTo(new PortMapping("127.0.0.1", 0, 8080, "tcp"));
    }

    @Test
    void hostPortAndContainerPortBindLoopback() {
        // given
        String text = "9000:8080";

        // when
        PortMapping mapping = PortMapping.parse(text);

        // then
        assertThat(mapping).isEqualTo(new PortMapping("127.0.0.1", 9000, 8080, "tcp"));
    }

    @Test
    void fullFormKeepsAddressPortsAndProtocol() {
        // given
        String text = "127.0.0.1:9000:8080/tcp";

        // when
        PortMapping mapping = PortMapping.parse(text);

        // then
        assertThat(mapping).isEqualTo(new PortMapping("127.0.0.1", 9000, 8080, "tcp"));
    }

    @Test
    void bracketedIpv6AddressLosesItsBrackets() {
        // given
        String text = "[::1]:9000:8080";

        // when
        PortMapping mapping = PortMapping.parse(text);

        // then
        assertThat(mapping).isEqualTo(new PortMapping("::1", 9000, 8080, "tcp"));
    }

    @Test
    void udpProtocolIsKeptAndLowercased() {
        // given
        String text = "5353/UDP";

        // when
        PortMapping mapping = PortMapping.parse(text);

        // then
        assertThat(mapping).isEqualTo(new PortMapping("127.0.0.1", 0, 5353, "udp"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "8080                    | 127.0.0.1::8080/tcp",
            "9000:8080               | 127.0.0.1:9000:8080/tcp",
            "127.0.0.1:9000:8080/tcp | 127.0.0.1:9000:8080/tcp",
            "[::1]:9000:8080         | [::1]:9000:8080/tcp",
            "[::1]::8080             | [::1]::8080/tcp",
            "0.0.0.0:53:53/udp       | 0.0.0.0:53:53/udp"})
    void printsTheFullForm(String text, String printed) {
        // given
        PortMapping mapping = PortMapping.parse(text);

        // when
        String result = mapping.toString();

        // then
        assertThat(result).isEqualTo(printed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8080", "9000:8080", "127.0.0.1:9000:8080/tcp", "[::1]:9000:8080", "53/udp",
            "192.0.2.1::65535/udp", "1:1"})
    void printedMappingParsesBackToTheSameMapping(String text) {
        // given
        PortMapping mapping = PortMapping.parse(text);

        // when
        PortMapping again = PortMapping.parse(mapping.toString());

        // then
        assertThat(again).isEqualTo(mapping);
    }

    @Test
    void containerPortZeroIsRejectedWithTheRange() {
        // given
        String text = "0";

        // when / then
        assertThatThrownBy(() -> PortMapping.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessage("container port 0 is out of range: use 1-65535");
    }

    @Test
    void containerPortAbove65535IsRejectedWithTheRange() {
        // given
        String text = "65536";

        // when / then
        assertThatThrownBy(() -> PortMapping.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessage("container port 65536 is out of range: use 1-65535");
    }

    @Test
    void hostPortAbove65535IsRejectedMentioningZeroForAnyPort() {
        // given
        String text = "65536:80";

        // when / then
        assertThatThrownBy(() -> PortMapping.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessage("host port 65536 is out of range: use 1-65535 (or 0 for any free port)");
    }

    @Test
    void negativePortIsRejectedWithTheSyntax() {
        // given
        String text = "-1";

        // when / then
        assertThatThrownBy(() -> PortMapping.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("invalid port mapping \"-1\"")
                .hasMessageContaining("[hostIp:][hostPort:]containerPort[/tcp|udp]");
    }

    @Test
    void negativeContainerPortIsRejectedByTheFactory() {
        // given
        int port = -1;

        // when / then
        assertThatThrownBy(() -> PortMapping.of(port))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("use 1-65535");
    }

    @Test
    void unknownProtocolIsRejectedNamingTheSupportedOnes() {
        // given
        String text = "8080/sctp";

        // when / then
        assertThatThrownBy(() -> PortMapping.parse(text))
                .isInstanceOf(SandboxConfigException.class)
                .hasMessageContaining("use tcp or udp");
    }
}
