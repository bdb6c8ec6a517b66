package dev.sandbox4j.egress.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.internal.dns.AddressGuard;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packet filter's forbidden list and the DNS side's address guard must not drift: every address the guard
 * refuses is in the list, and every network in the list (bar the documented superset, Teredo) is refused by the
 * guard at both ends.
 */
class ForbiddenAddressesTest {
    private final AddressGuard guard = new AddressGuard(HostAddressSource.NONE);

    @Test
    void forIpv4TheGuardAndThePacketFilterRefuseExactlyTheSameAddresses() {
        // given: both ends of every /24, and the addresses at, inside and just outside both ends of every
        // forbidden network
        List<byte[]> samples = new ArrayList<>();
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c : new int[] {0, 255}) {
                    samples.add(new byte[] {(byte) a, (byte) b, (byte) c, 0});
                    samples.add(new byte[] {(byte) a, (byte) b, (byte) c, (byte) 255});
                }
            }
        }
        for (Cidr c : ForbiddenAddresses.all()) {
            if (c.network().getAddress().length == 4) {
                long first = toLong(c.network().getAddress());
                long last = first + (1L << (32 - c.prefixLength())) - 1;
                for (long v : new long[] {first - 1, first, first + 1, last - 1, last, last + 1}) {
                    if (v >= 0 && v <= 0xffffffffL) {
                        samples.add(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
                    }
                }
            }
        }

        // when
        List<String> disagreements = new ArrayList<>();
        long refused = 0;
        for (byte[] s : samples) {
            boolean byGuard = guard.deniedClass(s).isPresent();
            refused += byGuard ? 1 : 0;
            if (byGuard != ForbiddenAddresses.contains(s)) {
                disagreements.add((s[0] & 0xff) + "." + (s[1] & 0xff) + "." + (s[2] & 0xff) + "." + (s[3] & 0xff));
            }
        }

        // then
        assertThat(refused).as("the guard refuses something: a positive control").isGreaterThan(10_000);
        assertThat(refused).as("and lets something through").isLessThan(samples.size());
        assertThat(disagreements).isEmpty();
    }

    private static long toLong(byte[] a) {
        return ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
    }

    @Test
    void everyForbiddenNetworkIsRefusedByTheGuardAtItsFirstAndLastAddress() {
        for (Cidr c : ForbiddenAddresses.all()) {
            if (c.equals(Cidr.parse("2001::/32"))) {
                continue;  // Teredo: a documented superset (the client address is bit-inverted, not a prefix)
            }
            byte[] first = c.network().getAddress();
            byte[] last = first.clone();
            for (int bit = c.prefixLength(); bit < last.length * 8; bit++) {
                last[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
            assertThat(guard.deniedClass(first)).as("first address of %s", c).isPresent();
            assertThat(guard.deniedClass(last)).as("last address of %s", c).isPresent();
        }
    }

    @Test
    void ipv6FormsTheGuardRefusesAreForbiddenAndPublicOnesAreNot() {
        // given: the guard's IPv6 classes, embedded forms included, and public controls
        List<String> refused = List.of("::", "::1", "::10.0.0.1", "fd00:ec2::254", "ff02::fb",
                "fe80::1", "fec0::1", "fd12:3456::1", "100::1", "64:ff9b::a00:1", "64:ff9b:1::1", "2002:a00:1::1",
                "2002:a9fe:a9fe::1", "2001:0:a00:1::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe");
        List<String> open = List.of("2001:db8::1", "2606:4700::1111", "64:ff9b::cb00:710a", "2002:cb00:710a::1");

        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};  // ::ffff:10.0.0.1

        // then
        assertThat(guard.deniedClass(mapped)).isPresent();
        assertThat(ForbiddenAddresses.contains(mapped)).isTrue();
        for (String a : refused) {
            byte[] raw = Cidr.parse(a).network().getAddress();
            assertThat(guard.deniedClass(raw)).as("guard refuses %s", a).isPresent();
            assertThat(ForbiddenAddresses.contains(raw)).as("packet filter forbids %s", a).isTrue();
        }
        for (String a : open) {
            byte[] raw = Cidr.parse(a).network().getAddress();
            assertThat(guard.deniedClass(raw)).as("guard allows %s", a).isEmpty();
            assertThat(ForbiddenAddresses.contains(raw)).as("packet filter allows %s", a).isFalse();
        }
    }
}
