package dev.sandbox4j.cli;

import dev.sandbox4j.kubernetes.KubeManifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code sandbox kube-manifest}: prints the Pod YAML the Kubernetes runtime would submit (sandbox-kubernetes). */
@Command(name = "kube-manifest",
        description = {"Print the Pod manifest (YAML) the kubernetes runtime would submit for IMAGE, for review or",
                "to run elsewhere. Arguments: [--allow HOST[:PORT]]... [--upstream IP:PORT] IMAGE"},
        footerHeading = "%nExamples:%n", footer = {"  sandbox kube-manifest --allow pypi.org:443 python:3.12", ""})
public final class KubeManifestCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = KubeManifest.run(args.toArray(String[]::new), o, e);
        }
        spec.commandLine().getOut().print(out.toString(StandardCharsets.UTF_8));
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().print(err.toString(StandardCharsets.UTF_8));
        spec.commandLine().getErr().flush();
        return code;
    }
}
