package dev.sandbox4j.examples.cli;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.Sandboxes;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.ContainerInfo;
import dev.sandbox4j.spi.NetworkInfo;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sandbox gc}: removes what Sandbox4j created for owners that no longer run, through
 * {@link Sandboxes#reapOrphans()}: containers, then the firewall tables of their sandboxes, then networks.
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
        if (!dryRun) {
            ReapReport report = runtime == null ? Sandboxes.reapOrphans() : Sandboxes.reapOrphans(runtime);
            report.containers().forEach(c -> out.println("removed container " + c));
            report.hostState().forEach(t -> out.println("removed firewall table " + t));
            report.networks().forEach(n -> out.println("removed network " + n));
            report.failures().forEach(f -> out.println("could not remove: " + f));
            out.println("removed " + report.removed() + (report.removed() == 1 ? " resource" : " resources"));
            out.flush();
            return report.failures().isEmpty() ? 0 : 1;
        }
        Ours ours = new Ours(Optional.ofNullable(runtime));
        int count = 0;
        for (ContainerInfo c : ours.containers()) {
            if (!Ownership.claimed(c.labels())) {
                out.println("would remove container " + c.name() + " (owner " + Ours.owner(c) + ")");
                count++;
            }
        }
        for (NetworkInfo n : ours.networks()) {
            if (!Ownership.claimed(n.labels())) {
                out.println("would remove network " + n.name() + " (owner " + Ours.owner(n) + ")");
                count++;
            }
        }
        out.println("would remove " + count + (count == 1 ? " resource" : " resources")
                + " (and the firewall tables of their sandboxes)");
        out.flush();
        return 0;
    }
}
