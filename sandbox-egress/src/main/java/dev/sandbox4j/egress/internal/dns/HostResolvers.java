package dev.sandbox4j.egress.internal.dns;

import dev.sandbox4j.egress.EgressPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's DNS resolvers, for policies that name no upstream: the {@code nameserver} lines of a resolv.conf.
 * Loopback stub resolvers (systemd-resolved's 127.0.0.53) are kept: the interceptor runs on the host.
 */
public final class HostResolvers {
    private HostResolvers() {
    }

    /**
     * {@return the nameservers of {@code /etc/resolv.conf} (IP literals only), port 53; empty when it cannot be read}
     */
    public static List<InetSocketAddress> fromResolvConf() {
        try {
            return parse(Files.readString(Path.of("/etc/resolv.conf")));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The policy's upstreams, or the host's when it names none.
     *
     * @param policy the sandbox's egress policy
     * @return the upstreams to use; empty when the policy names none and the host's cannot be read
     */
    public static List<InetSocketAddress> forPolicy(EgressPolicy policy) {
        return policy.upstreams().isEmpty() ? fromResolvConf() : policy.upstreams();
    }

    /** Parses resolv.conf text; IP literals only (never a lookup), zone ids and bad lines skipped. */
    static List<InetSocketAddress> parse(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2 || !f[0].equals("nameserver")) {
                continue;
            }
            String a = f[1];
            boolean literal = a.indexOf(':') >= 0
                    ? a.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                    : a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
            if (!literal) {
                continue;
            }
            try {
                out.add(new InetSocketAddress(InetAddress.getByName(a), 53));
            } catch (IOException e) {
                // not an address: skip
            }
        }
        return List.copyOf(out);
    }
}
