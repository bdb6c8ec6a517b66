package dev.sandbox4j.egress.internal;

import dev.sandbox4j.egress.Cidr;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address classes no sandbox may reach, as networks, in one list both sides read: the DNS side refuses answers
 * in them (see {@code dns.AddressGuard}, which a test checks against this list in both directions) and the
 * packet filter denies them in every policy mode, default-allow included. An allow-cidr rule that covers one of
 * them is the only way through; cloud metadata endpoints open only to a single-host allow-cidr rule naming them.
 *
 * <p>The packet list is a superset of the DNS side where a class cannot be written as a network: Teredo
 * ({@code 2001::/32}) is denied whole, because its client address is stored bit-inverted in the last 32 bits.
 */
public final class ForbiddenAddresses {
    /** Cloud metadata endpoints (AWS, GCP, Azure, Alibaba, Oracle), IPv4 and IPv6. */
    public static final List<Cidr> METADATA = cidrs("169.254.169.254/32", "100.100.100.200/32", "168.63.129.16/32",
            "192.0.0.192/32", "fd00:ec2::254/128");

    /** IPv4 classes: unspecified, loopback, private, shared, link-local, IETF, benchmarking, multicast, reserved. */
    public static final List<Cidr> IPV4 = cidrs("0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12",
            "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "192.0.0.0/24", "198.18.0.0/15",
            "255.255.255.255/32", "224.0.0.0/4", "240.0.0.0/4");

    /**
     * IPv6 classes, and the IPv6 forms that embed a forbidden IPv4 address (NAT64, 6to4) for each network of
     * {@link #IPV4}.
     */
    public static final List<Cidr> IPV6 = ipv6();

    private ForbiddenAddresses() {
    }

    private static final List<Cidr> ALL = all(METADATA, IPV4, IPV6);

    /** {@return every forbidden network, metadata endpoints first; unmodifiable} */
    public static List<Cidr> all() {
        return ALL;
    }

    private static List<Cidr> all(List<Cidr> metadata, List<Cidr> v4, List<Cidr> v6) {
        List<Cidr> out = new ArrayList<>(metadata);
        out.addAll(v4);
        out.addAll(v6);
        return List.copyOf(out);
    }

    /**
     * Whether an address lies in a forbidden network.
     *
     * @param address the address bytes, 4 for IPv4 or 16 for IPv6
     * @return {@code true} if any forbidden network contains it
     */
    public static boolean contains(byte[] address) {
        for (Cidr c : ALL) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<Cidr> ipv6() {
        List<Cidr> out = new ArrayList<>(cidrs("::/96"));
        out.add(mapped());  // written from bytes: the JDK turns the literal into an IPv4 address
        out.addAll(cidrs("ff00::/8", "fe80::/10", "fec0::/10",
                "fc00::/7", "100::/64", "64:ff9b:1::/48", "2001::/32"));
        for (Cidr v4 : IPV4) {
            byte[] n = v4.network().getAddress();
            String hi = Integer.toHexString(((n[0] & 0xff) << 8) | (n[1] & 0xff));
            String lo = Integer.toHexString(((n[2] & 0xff) << 8) | (n[3] & 0xff));
            out.add(Cidr.parse("64:ff9b::" + hi + ":" + lo + "/" + (96 + v4.prefixLength())));
            out.add(Cidr.parse("2002:" + hi + ":" + lo + "::/" + (16 + v4.prefixLength())));
        }
        return List.copyOf(out);
    }

    /** {@code ::ffff:0:0/96}, IPv4-mapped IPv6. */
    private static Cidr mapped() {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        try {
            return new Cidr(Inet6Address.getByAddress(null, b, -1), 96);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Cidr> cidrs(String... text) {
        List<Cidr> out = new ArrayList<>();
        for (String t : text) {
            out.add(Cidr.parse(t));
        }
        return List.copyOf(out);
    }
}
