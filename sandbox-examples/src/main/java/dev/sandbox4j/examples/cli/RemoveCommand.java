package dev.sandbox4j.examples.cli;

import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.ContainerInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox rm}: removes sandboxes by id or name, with their networks and firewall tables. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {"Remove sandboxes with their networks and firewall tables.",
                "A kept sandbox's holder process cleans up and exits; rm waits for it.",
                "Exit code 1 if an id matched nothing."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox rm 3f2a9c", "  sandbox rm $(sandbox ls --json | jq -r '.[].id')", ""})
public final class RemoveCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String runtime;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Container ids (or unique prefixes) or sandbox names.")
    List<String> ids;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Ours ours = new Ours(Optional.ofNullable(runtime));
        int code = 0;
        for (String id : ids) {
            Optional<ContainerInfo> found = ours.find(id);
            if (found.isEmpty()) {
                err.println("sandbox: no sandbox matches '" + id + "' (see 'sandbox ls')");
                code = 1;
                continue;
            }
            ContainerInfo c = found.get();
            String owner = Ours.owner(c);
            boolean ownerAlive = Ownership.ownerAlive(owner);
            Optional<Long> holder = Ours.ownerPid(owner).filter(pid -> ownerAlive && KeptSandboxes.isHolder(pid));
            ours.backend().remove(c.id(), Ours.TIMEOUT);
            holder.ifPresent(pid -> KeptSandboxes.awaitHolder(pid, Duration.ofSeconds(30)));
            if (!ownerAlive || holder.isPresent()) {
                ours.removeEgressLeftovers(Ours.sandboxName(c.labels(), c.name()));
            }
            out.println(c.id().substring(0, Math.min(12, c.id().length())) + " " + c.name() + " removed");
        }
        out.flush();
        return code;
    }
}
