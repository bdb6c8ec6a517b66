package dev.sandbox4j.egress.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.internal.HostAddressSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTest {
    private final AddressGuard guard = new AddressGuard(HostAddressSource.of(List.of(Cidr.parse("192.0.2.1/32"))));

    /** IPv6 text to 16 bytes without Java turning mapped addresses into IPv4 ones. */
    private static byte[] raw(String text) throws UnknownHostException {
        byte[] b = InetAddress.getByName(text).getAddress();
        if (b.length == 4 && text.contains(":")) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(b, 0, mapped, 12, 4);
            return mapped;
        }
        return b;
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1|loopback", "127.255.255.254|loopback", "0.0.0.0|unspecified", "0.1.2.3|unspecified",
            "10.0.0.1|private", "172.16.0.1|private", "172.31.255.255|private", "192.168.1.1|private",
            "100.64.0.1|shared address space", "100.127.255.255|shared address space",
            "169.254.1.1|link-local", "169.254.169.254|metadata", "100.100.100.200|metadata",
            "168.63.129.16|metadata", "224.0.0.251|multicast", "239.255.255.250|multicast",
            "255.255.255.255|broadcast", "240.0.0.1|reserved", "198.18.0.1|benchmarking",
            "192.0.2.1|host or sandbox network",
            "::|unspecified", "::1|loopback", "fe80::1|link-local", "fec0::1|site-local", "fc00::1|unique local",
            "fd12::1|unique local", "fd00:ec2::254|metadata", "ff02::fb|multicast",
            "::ffff:127.0.0.1|IPv4-mapped", "::ffff:203.0.113.1|IPv4-mapped", "::127.0.0.1|IPv4-compatible",
            "64:ff9b::7f00:1|NAT64", "64:ff9b::a9fe:a9fe|metadata", "2002:7f00:1::1|6to4",
            "2002:a00:1::1|private", "2001:0:7f00:1::|Teredo server", "2001:0:cb00:7101::80ff:fffe|Teredo client",
            "100::1|discard-only", "64:ff9b:1::1|local-use NAT64"})
    void forbiddenAddressesAreClassified(String address, String expected) throws UnknownHostException {
        assertThat(guard.deniedClass(raw(address))).hasValueSatisfying(c -> assertThat(c).contains(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.10", "198.51.100.1", "203.0.113.200", "8.8.8.8", "172.32.0.1", "100.128.0.1",
            "2001:db8::1", "2606:4700::1111", "64:ff9b::cb00:7101", "2002:cb00:7101::1",
            "2001:0:cb00:7101::3400:fefe"})
    void ordinaryAddressesPass(String address) throws UnknownHostException {
        assertThat(guard.deniedClass(raw(address))).isEmpty();
    }
}
