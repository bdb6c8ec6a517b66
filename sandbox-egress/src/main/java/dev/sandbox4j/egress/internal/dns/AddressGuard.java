package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.egress.Cidr;
import dev.sandbox4j.egress.internal.HostAddressSource;
import java.util.Optional;

/**
 * Classifies answer addresses a sandbox must not be pointed at by DNS: loopback, unspecified, link-local,
 * multicast, broadcast, private (RFC 1918), shared (CGNAT), unique-local, site-local, reserved, cloud metadata
 * endpoints and the host's own addresses. IPv6 forms that carry an IPv4 address (mapped, compatible, 6to4, NAT64,
 * Teredo) are decoded and the IPv4 address is checked as well; mapped and compatible forms are always refused.
 */
public final class AddressGuard {
    private final HostAddressSource hostAddresses;

    /**
     * A guard that refuses the built-in classes and the addresses {@code hostAddresses} gives.
     *
     * @param hostAddresses the host's own networks, read at each check
     */
    public AddressGuard(HostAddressSource hostAddresses) {
        this.hostAddresses = hostAddresses;
    }

    /**
     * A refused class found in the address, such as "loopback" or "cloud metadata endpoint", else empty.
     *
     * @param raw the address bytes, 4 for IPv4 or 16 for IPv6; any other length is refused as malformed
     * @return the refused class, or empty when the address may be released
     */
    public Optional<String> deniedClass(byte[] raw) {
        String builtIn = raw.length == 4 ? ipv4Class(raw) : raw.length == 16 ? ipv6Class(raw) : "malformed address";
        if (builtIn != null) {
            return Optional.of(builtIn);
        }
        for (Cidr c : hostAddresses.hostAddresses()) {
            if (c.contains(raw)) {
                return Optional.of("host or sandbox network address (" + c + ")");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the class is a cloud metadata endpoint (only a single-host allow-cidr rule may override it).
     *
     * @param deniedClass a class {@link #deniedClass(byte[])} returned
     * @return {@code true} for a cloud metadata endpoint
     */
    public static boolean isMetadata(String deniedClass) {
        return deniedClass.contains("metadata");
    }

    static String ipv4Class(byte[] a) {
        int b0 = a[0] & 0xff;
        int b1 = a[1] & 0xff;
        int b2 = a[2] & 0xff;
        int b3 = a[3] & 0xff;
        if (b0 == 169 && b1 == 254 && b2 == 169 && b3 == 254) {
            return "cloud metadata endpoint";
        }
        if ((b0 == 100 && b1 == 100 && b2 == 100 && b3 == 200) || (b0 == 168 && b1 == 63 && b2 == 129 && b3 == 16)
                || (b0 == 192 && b1 == 0 && b2 == 0 && b3 == 192)) {
            return "cloud metadata endpoint";
        }
        if (b0 == 0) {
            return "unspecified (0.0.0.0/8)";
        }
        if (b0 == 127) {
            return "loopback";
        }
        if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168)) {
            return "private (RFC 1918)";
        }
        if (b0 == 100 && (b1 & 0xc0) == 64) {
            return "shared address space (100.64.0.0/10)";
        }
        if (b0 == 169 && b1 == 254) {
            return "link-local";
        }
        if (b0 == 192 && b1 == 0 && b2 == 0) {
            return "IETF protocol assignments (192.0.0.0/24)";
        }
        if (b0 == 198 && (b1 & 0xfe) == 18) {
            return "benchmarking (198.18.0.0/15)";
        }
        if (b0 == 255 && b1 == 255 && b2 == 255 && b3 == 255) {
            return "broadcast";
        }
        if ((b0 & 0xf0) == 224) {
            return "multicast";
        }
        if ((b0 & 0xf0) == 240) {
            return "reserved (240.0.0.0/4)";
        }
        return null;
    }

    static String ipv6Class(byte[] a) {
        if (isZero(a, 0, 16)) {
            return "unspecified (::)";
        }
        if (isZero(a, 0, 15) && a[15] == 1) {
            return "loopback (::1)";
        }
        if (isZero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return "IPv4-mapped IPv6 " + embedded(a, 12, false);
        }
        if (isZero(a, 0, 12)) {
            return "IPv4-compatible IPv6 " + embedded(a, 12, false);
        }
        if (u16(a, 0) == 0xfd00 && u16(a, 2) == 0x0ec2 && isZero(a, 4, 14) && u16(a, 14) == 0x0254) {
            return "cloud metadata endpoint";
        }
        int first = a[0] & 0xff;
        if (first == 0xff) {
            return "multicast";
        }
        if (first == 0xfe && (a[1] & 0xc0) == 0x80) {
            return "link-local (fe80::/10)";
        }
        if (first == 0xfe && (a[1] & 0xc0) == 0xc0) {
            return "site-local (fec0::/10)";
        }
        if ((first & 0xfe) == 0xfc) {
            return "unique local (fc00::/7)";
        }
        if (u16(a, 0) == 0x0100 && isZero(a, 2, 8)) {
            return "discard-only (100::/64)";
        }
        // forms that embed an IPv4 address: decode and check it
        if (u16(a, 0) == 0x0064 && u16(a, 2) == 0xff9b && isZero(a, 4, 12)) {
            return embeddedClass("NAT64 (64:ff9b::/96)", a, 12, false);
        }
        if (u16(a, 0) == 0x0064 && u16(a, 2) == 0xff9b && u16(a, 4) == 0x0001) {
            return "local-use NAT64 (64:ff9b:1::/48)";
        }
        if (u16(a, 0) == 0x2002) {
            return embeddedClass("6to4 (2002::/16)", a, 2, false);
        }
        if (u16(a, 0) == 0x2001 && u16(a, 2) == 0x0000) {
            String server = embeddedClass("Teredo server (2001::/32)", a, 4, false);
            return server != null ? server : embeddedClass("Teredo client (2001::/32)", a, 12, true);
        }
        return null;
    }

    private static String embeddedClass(String form, byte[] a, int offset, boolean inverted) {
        byte[] v4 = v4(a, offset, inverted);
        String c = ipv4Class(v4);
        return c == null ? null : form + " embedding " + dotted(v4) + ", " + c;
    }

    private static String embedded(byte[] a, int offset, boolean inverted) {
        byte[] v4 = v4(a, offset, inverted);
        String c = ipv4Class(v4);
        return "embedding " + dotted(v4) + (c == null ? "" : ", " + c);
    }

    private static byte[] v4(byte[] a, int offset, boolean inverted) {
        byte[] v4 = new byte[4];
        for (int i = 0; i < 4; i++) {
            v4[i] = (byte) (inverted ? ~a[offset + i] : a[offset + i]);
        }
        return v4;
    }

    private static String dotted(byte[] v4) {
        return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff);
    }

    private static boolean isZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] a, int i) {
        return ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
    }
}
