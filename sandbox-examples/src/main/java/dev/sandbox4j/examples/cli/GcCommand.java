package dev.sandbox4j.examples.cli;

import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.NetworkInfo;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sandbox gc}: removes what Sandbox4j created for owners that no longer run. Implemented here over the
 * runtime backend's list and remove calls (core has no reaper yet): containers and networks whose
 * {@code dev.sandbox4j.owner} process is gone, and the nftables tables named after their sandboxes.
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Remove what dead owners left: containers, networks, firewall tables.",
                "An owner is the process that started a sandbox (a JVM killed before it could close them, or a",
                "killed 'run --keep' holder). Live owners' sandboxes are never touched."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox gc", "  sandbox gc --dry-run", ""})
public final class GcCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dry-run", description = "Only print what would be removed.")
    boolean dryRun;

    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String runtime;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Ours ours = new Ours(Optional.ofNullable(runtime));
        String verb = dryRun ? "would remove " : "removed ";
        Set<String> deadSandboxes = new LinkedHashSet<>();
        int count = 0;
        for (ContainerInfo c : ours.containers()) {
            if (Ownership.ownerAlive(Ours.owner(c))) {
                continue;
            }
            if (!dryRun) {
                ours.backend().remove(c.id(), Ours.TIMEOUT);
            }
            deadSandboxes.add(Ours.sandboxName(c.labels(), c.name()));
            out.println(verb + "container " + c.name() + " (owner " + Ours.owner(c) + ")");
            count++;
        }
        for (NetworkInfo n : ours.networks()) {
            if (Ownership.ownerAlive(Ours.owner(n))) {
                continue;
            }
            if (!dryRun) {
                ours.backend().removeNetwork(n.name(), Ours.TIMEOUT);
            }
            deadSandboxes.add(Ours.sandboxName(n.labels(), n.name()));
            out.println(verb + "network " + n.name() + " (owner " + Ours.owner(n) + ")");
            count++;
        }
        for (String name : deadSandboxes) {
            if (!dryRun) {
                Optional<String> table = Ours.removeTable(name);
                if (table.isPresent()) {
                    out.println(verb + "nft table " + table.get());
                    count++;
                }
            }
        }
        out.println((dryRun ? "would remove " : "removed ") + count + (count == 1 ? " resource" : " resources"));
        out.flush();
        return 0;
    }
}
