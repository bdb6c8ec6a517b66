package dev.sandbox4j.egress;

import dev.sandbox4j.SandboxConfigException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network in CIDR notation, such as {@code 203.0.113.0/24} or {@code 2001:db8::/32}. The host
 * bits must be zero: {@code 203.0.113.7/24} is rejected (it names a host, not a network) with the network it
 * probably meant. A bare address is a single host ({@code /32} or {@code /128}).
 *
 * @param network      the network address, with all host bits zero
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {

    /**
     * Checks the network.
     *
     * @param network      the network address, host bits zero
     * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
     * @throws SandboxConfigException for a missing address, a prefix out of range, or host bits set
     */
    public Cidr {
        if (network == null) {
            throw new SandboxConfigException("a CIDR needs a network address: use Cidr.parse(\"203.0.113.0/24\")");
        }
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new SandboxConfigException("prefix length /" + prefixLength + " is out of range for "
                    + network.getHostAddress() + ": use 0.." + bits);
        }
        byte[] masked = mask(network.getAddress(), prefixLength);
        if (!java.util.Arrays.equals(masked, network.getAddress())) {
            throw new SandboxConfigException("'" + network.getHostAddress() + "/" + prefixLength + "' has host bits set:"
                    + " write the network, '" + literal(masked) + "/" + prefixLength + "', or the single host, '"
                    + network.getHostAddress() + "/" + bits + "'");
        }
    }

    /**
     * Parses {@code 203.0.113.0/24}, {@code 2001:db8::/32} or a bare address. Never consults DNS: only IP literals
     * are accepted. IPv4-mapped IPv6 literals are rejected (write the IPv4 form).
     *
     * @param text {@code 203.0.113.0/24}, {@code 2001:db8::/32} or an address
     * @return the network
     * @throws dev.sandbox4j.SandboxConfigException when it is not a literal network with zero host bits
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SandboxConfigException("a CIDR is empty: write a network such as '203.0.113.0/24'");
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress address = parseLiteral(addr, t);
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new SandboxConfigException("'" + t + "' has an invalid prefix length '" + p + "': write a number"
                        + " 0.." + bits + " after the '/'");
            }
            prefix = Integer.parseInt(p);
        }
        return new Cidr(address, prefix);
    }

    /** Parses an IPv4 or IPv6 literal without any name lookup. */
    static InetAddress parseLiteral(String addr, String shown) {
        try {
            if (addr.indexOf(':') >= 0) {
                if (!addr.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    throw new SandboxConfigException("'" + shown + "' is not an IPv6 address (no zone ids, no"
                            + " brackets): write it like '2001:db8::/32'");
                }
                InetAddress a = InetAddress.getByName(addr);
                if (a instanceof Inet4Address) {
                    throw new SandboxConfigException("'" + shown + "' is an IPv4-mapped IPv6 address: write the IPv4"
                            + " form, '" + a.getHostAddress() + "'");
                }
                return a;
            }
            String[] parts = addr.split("\\.", -1);
            if (parts.length != 4) {
                throw new SandboxConfigException("'" + shown + "' is not an IP address: write a literal such as"
                        + " '203.0.113.0/24' (host names belong in allow(...))");
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                        || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                    throw new SandboxConfigException("'" + shown + "' is not an IPv4 address: each of the four parts"
                            + " is a decimal 0..255 without leading zeros");
                }
                b[i] = (byte) Integer.parseInt(p);
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new SandboxConfigException("'" + shown + "' is not an IP address: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the address lies in this network; an IPv4 network never contains an IPv6 address or vice versa.
     *
     * @param address any address
     * @return whether it lies in this network
     */
    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /**
     * Same as {@link #contains(InetAddress)} on raw address bytes (4 or 16).
     *
     * @param address 4 or 16 bytes
     * @return whether it lies in this network
     */
    public boolean contains(byte[] address) {
        byte[] net = network.getAddress();
        if (address.length != net.length) {
            return false;
        }
        return java.util.Arrays.equals(mask(address, prefixLength), net);
    }

    /**
     * Whether this network is a single host ({@code /32} or {@code /128}).
     *
     * @return {@code true} for a {@code /32} or {@code /128}
     */
    public boolean isSingleHost() {
        return prefixLength == network.getAddress().length * 8;
    }

    static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    private static String literal(byte[] b) {
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code 203.0.113.0/24}; IPv6 in Java's full form, such as {@code 2001:db8:0:0:0:0:0:0/32}. */
    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
