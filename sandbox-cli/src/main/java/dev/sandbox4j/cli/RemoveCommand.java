package dev.sandbox4j.cli;

import dev.sandbox4j.ReapReport;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxInfo;
import dev.sandbox4j.SandboxRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sandbox rm}: removes sandboxes by name or id, with their networks and firewall tables. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {"Remove sandboxes with their networks and firewall tables, running or not.",
                "A kept sandbox's holder process notices and exits; rm waits for it.",
                "Exit code 1 if a name or id matched nothing."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox rm web", "  sandbox rm $(sandbox ls --json | jq -r '.[].id')", ""})
public final class RemoveCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    NamedSandboxes sandboxes = new NamedSandboxes();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int code = sandboxes.forEach(err, (rt, s) -> {
            removeReporting(rt, s, err);
            out.println(s.shortId() + " " + s.name() + " removed");
        });
        out.flush();
        return code;
    }

    /** As {@link #remove}, with what could not be removed said on {@code err}. */
    static void removeReporting(SandboxRuntime rt, SandboxInfo s, PrintWriter err) {
        remove(rt, s).failures().forEach(f -> err.println("sandbox: could not remove " + f));
    }

    /**
     * Removes a sandbox with everything it had, and waits for its holder to exit if it was kept. A sandbox that is
     * removed meanwhile (a kept sandbox's holder removes it once its main process has ended) counts as removed.
     */
    static ReapReport remove(SandboxRuntime rt, SandboxInfo s) {
        boolean kept = KeptSandboxes.isKept(s);
        ReapReport report;
        try {
            report = rt.remove(s.id());
        } catch (SandboxConfigException e) {
            if (rt.find(s.id()).isPresent()) {
                throw e;
            }
            report = ReapReport.NOTHING;
        }
        if (kept) {
            s.ownerPid().ifPresent(pid -> KeptSandboxes.awaitHolder(pid, Duration.ofSeconds(30)));
        }
        return report;
    }
}
