package dev.sandbox4j.egress.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RelayProtocolTest {
    private static RelayProtocol.Request parse(String hex) throws IOException {
        return RelayProtocol.readRequest(new ByteArrayInputStream(HexFormat.of().parseHex(hex)));
    }

    @Test
    void aConnectFrameIsTheBytesTheGuestRelaySends() throws IOException {
        // given: what sb4j-guest.c writes for 203.0.113.5:80 (seen with strace: "SB4J\1\1\0\7" "\4\313\0q\5\0P")
        String wire = "5342344a" + "01" + "01" + "0007" + "04" + "cb007105" + "0050";

        // when
        RelayProtocol.Request request = parse(wire);

        // then
        assertThat(request).isEqualTo(new RelayProtocol.Connect(
                new InetSocketAddress(InetAddress.getByName("203.0.113.5"), 80)));
        assertThat(HexFormat.of().formatHex(RelayProtocol.request(request))).isEqualTo(wire);
    }

    @Test
    void helloAndDnsRoundTrip() throws IOException {
        // given
        byte[] query = HexFormat.of().parseHex("abcd01000001000000000000076578616d706c6503636f6d0000010001");

        // when
        RelayProtocol.Request hello = parse(HexFormat.of().formatHex(RelayProtocol.request(new RelayProtocol.Hello())));
        RelayProtocol.Request dns = parse(HexFormat.of().formatHex(RelayProtocol.request(new RelayProtocol.Dns(query))));

        // then
        assertThat(hello).isEqualTo(new RelayProtocol.Hello());
        assertThat(dns).isEqualTo(new RelayProtocol.Dns(query));
    }

    @Test
    void anIpv6ConnectCarriesSixteenAddressBytes() throws IOException {
        // given
        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443);

        // when
        RelayProtocol.Request back = parse(HexFormat.of().formatHex(RelayProtocol.request(new RelayProtocol.Connect(to))));

        // then
        assertThat(back).isEqualTo(new RelayProtocol.Connect(to));
    }

    @Test
    void framesThatBreakTheFormatAreProtocolErrors() {
        assertThatThrownBy(() -> parse("58585858" + "01" + "00" + "0000"))
                .isInstanceOf(RelayProtocol.ProtocolException.class).hasMessageContaining("not a Sandbox4j");
        assertThatThrownBy(() -> parse("5342344a" + "02" + "00" + "0000"))
                .isInstanceOf(RelayProtocol.ProtocolException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> parse("5342344a" + "01" + "09" + "0000"))
                .isInstanceOf(RelayProtocol.ProtocolException.class).hasMessageContaining("unknown request type 9");
        assertThatThrownBy(() -> parse("5342344a" + "01" + "01" + "0006" + "04" + "cb007105" + "00"))
                .isInstanceOf(RelayProtocol.ProtocolException.class).hasMessageContaining("family 4 or 6");
        assertThatThrownBy(() -> parse("5342344a" + "01" + "01" + "0007" + "05" + "cb007105" + "0050"))
                .isInstanceOf(RelayProtocol.ProtocolException.class);
        assertThatThrownBy(() -> parse("5342344a" + "01" + "01" + "0007" + "04" + "cb007105" + "0000"))
                .isInstanceOf(RelayProtocol.ProtocolException.class).hasMessageContaining("port 0");
        assertThatThrownBy(() -> parse("5342344a" + "01" + "02" + "0002" + "abcd"))
                .isInstanceOf(RelayProtocol.ProtocolException.class).hasMessageContaining("at least 12 bytes");
        assertThatThrownBy(() -> parse("5342344a" + "01" + "00" + "0001" + "00"))
                .isInstanceOf(RelayProtocol.ProtocolException.class).hasMessageContaining("no payload");
    }

    @Test
    void aTruncatedFrameIsAnEndOfStream() {
        assertThatThrownBy(() -> parse("5342344a01010007" + "04cb"))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void aReplyIsHeaderThenPayload() throws IOException {
        // given
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // when
        RelayProtocol.writeReply(out, RelayProtocol.DENIED, "no");
        RelayProtocol.Reply back = RelayProtocol.readReply(new ByteArrayInputStream(out.toByteArray()));

        // then
        assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo("5342344a01010002" + "6e6f");
        assertThat(back).isEqualTo(new RelayProtocol.Reply(RelayProtocol.DENIED, "no".getBytes()));
    }
}
