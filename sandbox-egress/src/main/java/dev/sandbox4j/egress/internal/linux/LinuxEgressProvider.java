package dev.sandbox4j.egress.internal.linux;

import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.internal.nft.NftShell;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import java.util.Map;

/**
 * Egress control for Podman on Linux: a network per sandbox, a DNS interceptor per sandbox, and host nftables
 * rules keyed on that network's bridge. Needs root (for nft) and the {@code nft} binary.
 */
public final class LinuxEgressProvider implements EgressProvider {
    private static volatile NftShell shell;

    @Override
    public boolean supports(RuntimeBackend backend, HostEnvironment host) {
        return backend.name().equals("podman") && host.os() == HostEnvironment.Os.LINUX
                && host.findExecutable("nft").isPresent() && isRoot();
    }

    @Override
    public String unsupportedReason(RuntimeBackend backend, HostEnvironment host) {
        if (!backend.name().equals("podman") || host.os() != HostEnvironment.Os.LINUX) {
            return "the nftables enforcer polices Podman on Linux, not " + backend.name() + " on " + host.os();
        }
        if (host.findExecutable("nft").isEmpty()) {
            return "nft not found on PATH: install it with `apt-get install nftables`";
        }
        return "egress control needs root to program nftables: run the JVM as root (rootful podman)";
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static NftShell shell() {
        NftShell s = shell;
        if (s == null) {
            synchronized (LinuxEgressProvider.class) {
                s = shell;
                if (s == null) {
                    String nft = HostEnvironment.current().findExecutable("nft").map(Object::toString).orElse("nft");
                    s = new NftShell(CommandRunner.system(), nft);
                    shell = s;
                }
            }
        }
        return s;
    }

    @Override
    public EgressSession prepare(SandboxSpec spec, RuntimeBackend backend, String sandboxName,
                                 Map<String, String> labels) {
        return LinuxEgressSession.open(spec.egress(), backend, sandboxName, labels, shell());
    }
}
