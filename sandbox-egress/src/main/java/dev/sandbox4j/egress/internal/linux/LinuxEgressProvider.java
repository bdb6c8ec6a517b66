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
 * Egress control for Podman on Linux: a network per sandbox, a DNS interceptor per sandbox, and host nftables
 * rules keyed on that network's bridge. Needs root (for nft) and the {@code nft} binary.
 */
public final class LinuxEgressProvider implements EgressProvider {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxEgressProvider.class);
    private static final Duration CLI = Duration.ofSeconds(30);
    /** Tables made by {@link LinuxEgressSession} for sandboxes named {@code sb4j-<12 hex>}; nothing else. */
    private static final Pattern SESSION_TABLE = Pattern.compile(
            "^table inet (" + NftRuleset.TABLE_PREFIX + "sb4j_([0-9a-f]{12}))$", Pattern.MULTILINE);
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

    /** The sandbox name a session's table belongs to. */
    static String tableOf(String sandboxName) {
        return NftRuleset.TABLE_PREFIX + sandboxName.replaceAll("[^a-z0-9]", "_");
    }

    /** Sandboxes with a firewall table, from {@code nft list tables}. */
    @Override
    public Set<String> sandboxesWithHostState(RuntimeBackend backend) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = SESSION_TABLE.matcher(shell().query(List.of("list", "tables"), CLI));
        while (m.find()) {
            out.add("sb4j-" + m.group(2));
        }
        return out;
    }

    /** Deletes the firewall tables of sandboxes that are gone; a table already deleted is not an error. */
    @Override
    public List<String> reap(RuntimeBackend backend, Set<String> goneSandboxes) {
        List<String> removed = new ArrayList<>();
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
