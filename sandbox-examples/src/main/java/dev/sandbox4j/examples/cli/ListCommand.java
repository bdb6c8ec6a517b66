package dev.sandbox4j.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandbox4j.internal.Ownership;
import dev.sandbox4j.spi.ContainerInfo;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sandbox ls}: the containers Sandbox4j created on this host, whoever owns them. */
@Command(name = "ls", aliases = "ps", mixinStandardHelpOptions = true,
        description = {"List the sandboxes on this host, running or not.",
                "They are found by their dev.sandbox4j labels. OWNER says whether the owning process is alive,",
                "dead (then 'sandbox gc' removes it) or a 'run --keep' holder (kept)."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox ls", "  sandbox ls --json", ""})
public final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String runtime;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        var containers = new Ours(Optional.ofNullable(runtime)).containers();
        if (json) {
            ArrayNode array = Json.MAPPER.createArrayNode();
            for (ContainerInfo c : containers) {
                ObjectNode n = array.addObject();
                n.put("id", c.id());
                n.put("name", c.name());
                n.put("running", c.running());
                n.put("owner", Ours.owner(c));
                n.put("ownerAlive", Ownership.ownerAlive(Ours.owner(c)));
                n.put("kept", Ours.ownerPid(Ours.owner(c)).map(KeptSandboxes::isHolder).orElse(false));
                n.set("ports", Json.ports(c.hostPorts()));
                ObjectNode labels = n.putObject("labels");
                new TreeMap<>(userLabels(c.labels())).forEach(labels::put);
            }
            out.println(Json.write(array));
        } else {
            out.printf("%-12s  %-17s  %-7s  %-20s  %-18s  %s%n", "ID", "NAME", "STATUS", "OWNER", "PORTS", "LABELS");
            for (ContainerInfo c : containers) {
                String owner = Ours.owner(c);
                String ownerText = Ours.ownerPid(owner).map(pid -> "pid " + pid).orElse("?")
                        + (Ownership.ownerAlive(owner) ? Ours.ownerPid(owner).map(KeptSandboxes::isHolder).orElse(false)
                        ? " (kept)" : " (alive)" : " (dead)");
                String ports = c.hostPorts().entrySet().stream().map(e -> e.getValue() + "->" + e.getKey())
                        .collect(Collectors.joining(","));
                String labels = new TreeMap<>(userLabels(c.labels())).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
                out.printf("%-12s  %-17s  %-7s  %-20s  %-18s  %s%n", c.id().substring(0, Math.min(12, c.id().length())),
                        c.name(), c.running() ? "running" : "exited", ownerText, ports.isEmpty() ? "-" : ports,
                        labels.isEmpty() ? "-" : labels);
            }
        }
        out.flush();
        return 0;
    }

    private static Map<String, String> userLabels(Map<String, String> labels) {
        return labels.entrySet().stream().filter(e -> !e.getKey().startsWith("dev.sandbox4j"))
                .filter(e -> !e.getKey().startsWith("io.") && !e.getKey().startsWith("org."))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
