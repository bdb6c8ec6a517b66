package dev.sandbox4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sandbox4j.SandboxInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sandbox ls}: the sandboxes on this host, whoever owns them. */
@Command(name = "ls", aliases = "ps", mixinStandardHelpOptions = true,
        description = {"List the sandboxes on this host, running or not.",
                "They are found by their dev.sandbox4j labels. OWNER says whether the owning process is alive,",
                "dead (then 'sandbox gc' removes it), a 'run -d' holder (kept), or none (detached)."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox ls", "  sandbox ls --json", ""})
public final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Mixin
    RuntimeOption runtime = new RuntimeOption();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<SandboxInfo> sandboxes = runtime.runtime().list();
        if (json) {
            ArrayNode array = Json.MAPPER.createArrayNode();
            sandboxes.forEach(s -> array.add(Json.info(s)));
            out.println(Json.write(array));
        } else {
            out.printf("%-12s  %-17s  %-7s  %-20s  %-18s  %s%n", "ID", "NAME", "STATUS", "OWNER", "PORTS", "LABELS");
            for (SandboxInfo s : sandboxes) {
                String ports = new TreeMap<>(s.ports()).entrySet().stream().map(e -> e.getValue() + "->" + e.getKey())
                        .collect(Collectors.joining(","));
                String labels = new TreeMap<>(s.labels()).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
                out.printf("%-12s  %-17s  %-7s  %-20s  %-18s  %s%n", s.shortId(), s.name(),
                        s.running() ? "running" : "exited", owner(s), ports.isEmpty() ? "-" : ports,
                        labels.isEmpty() ? "-" : labels);
            }
        }
        out.flush();
        return 0;
    }

    private static String owner(SandboxInfo s) {
        String pid = s.ownerPid().map(p -> "pid " + p).orElse("?");
        if (s.detached()) {
            return pid + " (detached)";
        }
        if (!s.ownerAlive()) {
            return pid + " (dead)";
        }
        return pid + (KeptSandboxes.isKept(s) ? " (kept)" : " (alive)");
    }
}
