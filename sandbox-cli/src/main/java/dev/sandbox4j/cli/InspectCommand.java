package dev.sandbox4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sandbox inspect}: what Sandbox4j knows about sandboxes, as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Print sandboxes as a JSON array: id, name, runtime, running, owner and whether it is alive,",
                "detached or kept, published ports (container port to host port) and labels.",
                "Exit code 1 if a name or id matches nothing."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox inspect web", "  sandbox inspect 3f2a9c | jq '.[0].ports'", ""})
public final class InspectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    NamedSandboxes sandboxes = new NamedSandboxes();

    @Override
    public Integer call() throws InterruptedException {
        ArrayNode array = Json.MAPPER.createArrayNode();
        int code = sandboxes.forEach(spec.commandLine().getErr(), (rt, s) -> array.add(Json.info(s)));
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.pretty(array));
        out.flush();
        return code;
    }
}
