package dev.sandbox4j.kubernetes;

import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.egress.EgressPolicy;
import dev.sandbox4j.kubernetes.internal.PodManifest;
import dev.sandbox4j.kubernetes.internal.Rules;
import dev.sandbox4j.spi.LaunchRequest;
import dev.sandbox4j.spi.NamespaceRules;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Pod manifest the {@code kubernetes} runtime would submit for a spec, as YAML, so operators can review it
 * and run it elsewhere ({@code kubectl apply -f}, {@code podman kube play}). Backs the
 * {@code sandbox kube-manifest} command; {@link #main} is that command until the CLI module takes it over.
 */
public final class KubeManifest {
    /** Label on every sandbox pod. */
    public static final String MANAGED_LABEL = "dev.sandbox4j.managed";
    /** Label with the sandbox's name. */
    public static final String SANDBOX_LABEL = "dev.sandbox4j.sandbox";

    /** Label of a sandbox that outlives the JVM that started it (see {@code SandboxSpec.detached}). */
    public static final String DETACHED_LABEL = "dev.sandbox4j.detached";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String USAGE = "usage: sandbox kube-manifest [--allow HOST[:PORT]]... [--upstream IP:PORT]"
            + " [--namespace NS] [--runtime-class NAME] [--enforcer-image IMAGE] IMAGE";

    private KubeManifest() {
    }

    /**
     * The pod of {@code spec} under {@code options}, named {@code sb4j-} plus 12 random hex digits, with the rules
     * of the {@link NamespaceRules} found on the class path when the policy is not allow-all.
     *
     * @param spec    the sandbox to describe
     * @param options namespace, RuntimeClass, enforcer image, deadline and owners
     * @return the Pod manifest as YAML
     * @throws dev.sandbox4j.SandboxConfigException if the policy is not allow-all and no {@link NamespaceRules}
     *         is on the class path (it comes with {@code sandbox-egress})
     */
    public static String podYaml(SandboxSpec spec, KubernetesOptions options) {
        return podYaml(spec, options, newName(), Rules.fromClassPath());
    }

    /**
     * As {@link #podYaml(SandboxSpec, KubernetesOptions)} with the pod's name and the rule builder given.
     *
     * @param spec    the sandbox to describe
     * @param options namespace, RuntimeClass, enforcer image, deadline and owners
     * @param podName the pod's name
     * @param rules   builds the in-pod firewall rules; not used when the policy is allow-all
     * @return the Pod manifest as YAML
     */
    public static String podYaml(SandboxSpec spec, KubernetesOptions options, String podName, NamespaceRules rules) {
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(MANAGED_LABEL, "true");
        labels.put(SANDBOX_LABEL, podName);
        if (spec.detached()) {
            labels.put(DETACHED_LABEL, "true");
        }
        LaunchRequest request = new LaunchRequest(spec, PodManifest.imageReference(spec), podName, labels, Optional.empty(),
                List.of(), List.of());
        Optional<String> text = spec.egress().allowsEverything() ? Optional.empty()
                : Optional.of(rules.ruleset(spec.egress(), PodManifest.INTERCEPTOR_PORT));
        return new KubernetesSerialization().asYaml(PodManifest.pod(request, options, text));
    }

    static String newName() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "sb4j-" + HexFormat.of().formatHex(b);
    }

    /**
     * {@code kube-manifest [--allow HOST[:PORT]]... [--upstream IP:PORT] [--namespace NS] [--runtime-class NAME]
     * [--enforcer-image IMAGE] IMAGE}: prints the pod of a sandbox of IMAGE whose egress allows only the given
     * hosts. Exit code 2 on bad arguments.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err, Rules::fromClassPath);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * {@code sandbox kube-manifest}: prints the Pod manifest for the arguments (see
     * {@code sandbox kube-manifest --help}) to {@code out}; returns the exit code (2 for bad arguments, reported on
     * {@code err}).
     *
     * @param args the command-line arguments
     * @param out  where the manifest is printed
     * @param err  where argument errors and the usage are printed
     * @return the exit code: 0, or 2 for bad arguments or a sandbox that cannot be described
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Rules::fromClassPath);
    }

    /** The command without {@link System#exit}: returns its exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, java.util.function.Supplier<NamespaceRules> rules) {
        try {
            out.print(render(args, rules));
            out.flush();
            return 0;
        } catch (SandboxException e) {
            err.println("kube-manifest: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    private static String render(String[] args, java.util.function.Supplier<NamespaceRules> rules) {
        StringBuilder policy = new StringBuilder("default deny\n");
        KubernetesOptions.Builder options = KubernetesOptions.builder();
        List<String> images = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--allow" -> policy.append("allow ").append(value(args, ++i, a)).append('\n');
                case "--upstream" -> policy.append("upstream ").append(value(args, ++i, a)).append('\n');
                case "--namespace" -> options.namespace(value(args, ++i, a));
                case "--runtime-class" -> options.runtimeClassName(value(args, ++i, a));
                case "--enforcer-image" -> options.enforcerImage(value(args, ++i, a));
                default -> {
                    if (a.startsWith("-")) {
                        throw new SandboxConfigException("unknown option '" + a + "'");
                    }
                    images.add(a);
                }
            }
        }
        if (images.size() != 1) {
            throw new SandboxConfigException(images.isEmpty() ? "name the image to run" : "give one image, not "
                    + images);
        }
        SandboxSpec spec = Sandbox.builder().image(images.get(0)).egress(EgressPolicy.parse(policy.toString()))
                .build();
        KubernetesOptions opts = options.build();
        return podYaml(spec, opts, newName(), rules.get());
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new SandboxConfigException(option + " needs a value");
        }
        return args[i];
    }
}
