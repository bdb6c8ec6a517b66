package dev.sandbox4j.cli;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.Sandboxes;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sandbox gc}: removes what Sandbox4j created for owners that no longer run, through
 * {@link Sandboxes#reapOrphans()}: containers, then the firewall tables of their sandboxes, then networks.
 * {@code --dry-run} prints {@link Sandboxes#orphans()}, the same rule removing nothing.
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Remove what dead owners left: containers, networks, firewall tables.",
                "An owner is the process that started a sandbox (a JVM killed before it could close them, or a",
                "killed 'run -d' holder). Live owners' and detached sandboxes are never touched."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox gc", "  sandbox gc --dry-run", ""})
public final class GcCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dry-run", description = "Only print what would be removed.")
    boolean dryRun;

    @Mixin
    RuntimeOption runtime = new RuntimeOption();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        var rt = runtime.runtime();
        ReapReport report = dryRun ? rt.orphans() : rt.reapOrphans();
        String verb = dryRun ? "would remove" : "removed";
        report.containers().forEach(c -> out.println(verb + " container " + c));
        report.hostState().forEach(t -> out.println(verb + (dryRun ? " the firewall table of " : " firewall table ") + t));
        report.networks().forEach(n -> out.println(verb + " network " + n));
        report.failures().forEach(f -> out.println("could not " + (dryRun ? "list: " : "remove: ") + f));
        out.println(verb + " " + report.removed() + (report.removed() == 1 ? " resource" : " resources"));
        out.flush();
        return report.failures().isEmpty() ? 0 : 1;
    }
}
