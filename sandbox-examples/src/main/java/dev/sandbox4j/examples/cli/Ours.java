package dev.sandbox4j.examples.cli;

import dev.sandbox4j.SandboxException;
import dev.sandbox4j.egress.internal.nft.NftRuleset;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.NetworkInfo;
import dev.sandbox4j.spi.RuntimeBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Sandbox4j created on this host, found by its ownership labels: containers, networks and (on Linux) the
 * nftables tables of their egress control. Used by {@code ls}, {@code exec}, {@code rm} and {@code gc}.
 */
final class Ours {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Map<String, String> MANAGED = Map.of(Ownership.MANAGED, "true");

    private final RuntimeBackend backend;

    Ours(Optional<String> runtime) {
        this.backend = Runtimes.backend(runtime);
    }

    RuntimeBackend backend() {
        return backend;
    }

    List<ContainerInfo> containers() {
        return backend.list(MANAGED, TIMEOUT);
    }

    List<NetworkInfo> networks() {
        return backend.listNetworks(MANAGED, TIMEOUT);
    }

    /** The container whose id starts with {@code idOrName} or whose name is it; fails when none or several match. */
    Optional<ContainerInfo> find(String idOrName) {
        List<ContainerInfo> matches = new ArrayList<>();
        for (ContainerInfo c : containers()) {
            if (c.name().equals(idOrName) || c.id().equals(idOrName)) {
                return Optional.of(c);
            }
            if (idOrName.length() >= 3 && c.id().startsWith(idOrName)) {
                matches.add(c);
            }
        }
        if (matches.size() > 1) {
            throw new SandboxException("'" + idOrName + "' matches " + matches.size() + " sandboxes: give more of the id");
        }
        return matches.stream().findFirst();
    }

    static String owner(ContainerInfo c) {
        return c.labels().getOrDefault(Ownership.OWNER, "");
    }

    static String owner(NetworkInfo n) {
        return n.labels().getOrDefault(Ownership.OWNER, "");
    }

    static String sandboxName(Map<String, String> labels, String fallback) {
        return labels.getOrDefault(Ownership.SANDBOX, fallback);
    }

    /** The owner's pid, when the owner id has one. */
    static Optional<Long> ownerPid(String owner) {
        int dash = owner.indexOf('-');
        try {
            return Optional.of(Long.parseLong(dash < 0 ? owner : owner.substring(0, dash)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes every network of one sandbox and its nftables table (Linux); what is gone already is skipped. */
    List<String> removeEgressLeftovers(String sandboxName) {
        List<String> removed = new ArrayList<>();
        for (NetworkInfo n : backend.listNetworks(Map.of(Ownership.SANDBOX, sandboxName), TIMEOUT)) {
            backend.removeNetwork(n.name(), TIMEOUT);
            removed.add("network " + n.name());
        }
        removeTable(sandboxName).ifPresent(t -> removed.add("nft table " + t));
        return removed;
    }

    /**
     * Deletes the nftables table the Linux egress enforcer names after a sandbox, when it exists. The naming
     * follows {@code LinuxEgressSession}; a reaper in core would make this unnecessary.
     */
    static Optional<String> removeTable(String sandboxName) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Optional.empty();
        }
        String table = NftRuleset.TABLE_PREFIX + sandboxName.replaceAll("[^a-z0-9]", "_");
        CommandRunner runner = CommandRunner.system();
        CommandResult listed = runner.run(Command.of(List.of("nft", "list", "table", "inet", table), TIMEOUT));
        if (listed.exitCode() != 0) {
            return Optional.empty();
        }
        CommandResult deleted = runner.run(Command.of(List.of("nft", "delete", "table", "inet", table), TIMEOUT));
        return deleted.exitCode() == 0 ? Optional.of(table) : Optional.empty();
    }
}
