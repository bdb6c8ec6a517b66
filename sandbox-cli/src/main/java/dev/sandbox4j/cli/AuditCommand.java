package dev.sandbox4j.cli;

import picocli.CommandLine.Command;

/** {@code sandbox audit}: {@code run} with the egress log streamed to stderr as it happens. */
@Command(name = "audit", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Like 'run', streaming every egress decision to stderr as it happens.",
                "One line per DNS decision or dropped-packet count, or JSON lines with --json (the command's",
                "result is then one JSON object on stdout at the end)."},
        footerHeading = "%nExamples:%n",
        footer = {"  sandbox audit --allow api.example.com --upstream 127.0.0.1:53 IMAGE nslookup evil.example",
                "  sandbox audit --json --policy policy.txt IMAGE ./agent-task.sh 2> egress.jsonl", ""})
public final class AuditCommand extends RunCommand {
    @Override
    public Integer call() throws Exception {
        audit = true;
        return super.call();
    }
}
