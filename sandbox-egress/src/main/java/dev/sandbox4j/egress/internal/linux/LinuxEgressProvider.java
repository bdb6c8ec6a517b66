package dev.sandbox4j.egress.internal.linux;

import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.internal.nft.NftShell;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.EgressProvider;
import dev.sandbox4j.spi.EgressSession;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress control for Podman on Linux, rootful or rootless: a DNS interceptor per sandbox and a default-deny
 * nftables table inside the sandbox's own network namespace (see {@link LinuxEgressSession}). Needs the
 * {@code nft} and {@code nsenter} binaries; rootful Podman needs the JVM to run as root, rootless Podman needs
 * nothing more. Tables that older versions kept in the host's own ruleset ({@code sandbox4j_sb4j_...}) are still
 * found and reaped.
 */
public final class LinuxEgressProvider implements EgressProvider {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxEgressProvider.class);
    private static final Duration CLI = Duration.ofSeconds(30);
    /** Tables made by {@link LinuxEgressSession} for sandboxes named {@code sb4j-<12 hex>}; nothing else. */
    private static final Pattern SESSION_TABLE = Pattern.compile(
            "^table inet (" + NftRuleset.TABLE_PREFIX + "sb4j_([0-9a-f]{12}))$", Pattern.MULTILINE);
    private static volatile NftShell shell;

    /** Where nft lives when it is not on PATH ({@code /usr/sbin} is off an ordinary user's PATH). */
    private static final List<String> NFT_DIRS = List.of("/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft");

    @Override
    public boolean supports(RuntimeBackend backend, HostEnvironment host) {
        try {
            return backend.name().equals("podman") && host.os() == HostEnvironment.Os.LINUX
                    && nft(host).isPresent() && host.findExecutable("nsenter").isPresent()
                    && backend.supportsBeforeStart() && (isRoot() || backend.rootless());
        } catch (RuntimeException e) {
            LOG.debug("podman could not say whether it runs rootless", e);
            return false;
        }
    }

    @Override
    public String unsupportedReason(RuntimeBackend backend, HostEnvironment host) {
        if (!backend.name().equals("podman") || host.os() != HostEnvironment.Os.LINUX) {
            return "the nftables enforcer polices Podman on Linux, not " + backend.name() + " on " + host.os();
        }
        if (nft(host).isEmpty()) {
            return "nft not found on PATH or in /usr/sbin: install it with `apt-get install nftables`";
        }
        if (host.findExecutable("nsenter").isEmpty()) {
            return "nsenter not found on PATH: install it with `apt-get install util-linux`";
        }
        if (!backend.supportsBeforeStart()) {
            return "this podman backend cannot run a step between creating and starting a container";
        }
        return "podman runs rootful but the JVM runs as " + System.getProperty("user.name") + ": run the JVM as "
                + "root, or use rootless podman as this user (subuid/subgid ranges, usable /dev/net/tun)";
    }

    /** The nft binary by absolute path: on PATH, else in the usual system directories. */
    static java.util.Optional<String> nft(HostEnvironment host) {
        java.util.Optional<String> onPath = host.findExecutable("nft").map(p -> p.toAbsolutePath().toString());
        if (onPath.isPresent()) {
            return onPath;
        }
        return NFT_DIRS.stream().filter(p -> host.findExecutable(p).isPresent()).findFirst();
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
                    String nft = nft(HostEnvironment.current()).orElse("nft");
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
        String nft = nft(HostEnvironment.current()).orElseThrow(() -> new dev.sandbox4j.SandboxConfigException(
                "nft not found on PATH or in /usr/sbin: install it with `apt-get install nftables`"));
        return LinuxEgressSession.open(spec, backend, sandboxName, labels, nft, backend.commandRunner());
    }

    /** The sandbox name a session's table belongs to. */
    static String tableOf(String sandboxName) {
        return NftRuleset.TABLE_PREFIX + sandboxName.replaceAll("[^a-z0-9]", "_");
    }

    /**
     * Sandboxes with a firewall table in the host's own ruleset, from {@code nft list tables}: only tables older
     * versions made there (current sandboxes keep theirs in their own network namespace, which goes with the
     * container). Without root there can be none and nft could not list them: none.
     */
    @Override
    public Set<String> sandboxesWithHostState(RuntimeBackend backend) {
        if (!isRoot()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Matcher m = SESSION_TABLE.matcher(shell().query(List.of("list", "tables"), CLI));
        while (m.find()) {
            out.add("sb4j-" + m.group(2));
        }
        return out;
    }

    /**
     * Deletes the host firewall tables (made by older versions) of sandboxes that are gone; a table already
     * deleted is not an error.
     */
    @Override
    public List<String> reap(RuntimeBackend backend, Set<String> goneSandboxes) {
        List<String> removed = new ArrayList<>();
        if (!isRoot()) {
            return removed;
        }
        SandboxException failure = null;
        for (String sandbox : goneSandboxes) {
            String table = tableOf(sandbox);
            try {
                shell().applyScript("delete table inet " + table + "\n", CLI);
                removed.add(table);
            } catch (SandboxException e) {
                if (e.getMessage() != null && e.getMessage().contains("No such file or directory")) {
                    LOG.debug("table {} was already gone", table);
                } else if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw new SandboxException("removed " + removed + " but not every orphaned table: "
                    + failure.getMessage(), failure);
        }
        return removed;
    }
}
