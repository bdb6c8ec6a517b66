package dev.sandbox4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sandbox4j.SandboxRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sandbox inspect}: what Sandbox4j knows about sandboxes, as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Print sandboxes as a JSON array: id, name, runtime, running, owner and whether it is alive,",
                "detached or kept, published ports (container port to host port) and labels.",
                "Exit code 1 if a name or id matches nothing."},
        footerHeading = "%nExamples:%n", footer = {"  sandbox inspect web", "  sandbox inspect 3f2a9c | jq '.[0].ports'", ""})
public final class InspectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--runtime", paramLabel = "NAME", description = "podman or apple-container. Default: detected.")
    String runtime;

    @Parameters(arity = "1..*", paramLabel = "SANDBOX", description = "Names (--name or sb4j-...), ids or id prefixes.")
    List<String> ids;

    @Override
    public Integer call() {
        SandboxRuntime rt = Targets.runtime(runtime);
        ArrayNode array = Json.MAPPER.createArrayNode();
        int code = 0;
        for (String id : ids) {
            var found = Targets.find(rt, id);
            if (found.isEmpty()) {
                spec.commandLine().getErr().println("sandbox: no sandbox matches '" + id + "' (see 'sandbox ls')");
                code = 1;
            } else {
                array.add(Json.info(found.get()));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.pretty(array));
        out.flush();
        return code;
    }
}
