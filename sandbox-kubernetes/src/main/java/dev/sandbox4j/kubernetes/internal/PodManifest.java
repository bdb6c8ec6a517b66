package dev.sandbox4j.kubernetes.internal;

import dev.sandbox4j.ImageSource;
import dev.sandbox4j.MemorySize;
import dev.sandbox4j.PortMapping;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxSpec;
import dev.sandbox4j.kubernetes.KubernetesOptions;
import dev.sandbox4j.spi.LaunchRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pure builder of the Pod of one sandbox: launch request and options in, fabric8 {@link Pod} out. No I/O.
 *
 * <p>A policed sandbox (any policy but allow-all) gets an init container that loads the in-namespace rules
 * (given as text, built elsewhere) into the pod's network namespace before any other container starts, and an
 * enforcer sidecar that runs the DNS interceptor and the rule updater. Only those two hold NET_ADMIN; the workload
 * drops NET_ADMIN and NET_RAW whatever the policy.
 */
public final class PodManifest {
    /** Name of the container that runs the workload (the one exec, files and logs go to). */
    public static final String WORKLOAD = "sandbox";
    /** Name of the init container that loads the rules. */
    public static final String INIT = "egress-init";
    /** Name of the sidecar that runs the DNS interceptor and the rule updater. */
    public static final String ENFORCER = "egress-enforcer";
    /** Port of the DNS interceptor on the pod's loopback; the rules redirect every port-53 packet to it. */
    public static final int INTERCEPTOR_PORT = 5353;
    /** Environment variable of the init container that holds the {@code nft -f} script. */
    public static final String ENV_RULES = "SANDBOX4J_NFT_RULES";
    /**
     * Environment variable of the enforcer that holds the policy in its text form; reviewers of the manifest read
     * the policy there (no annotation repeats it: {@code podman kube play} refuses annotation values over 63
     * characters).
     */
    public static final String ENV_POLICY = "SANDBOX4J_EGRESS_POLICY";
    /** Environment variable of the enforcer that holds the sandbox's name, written on every audit line. */
    public static final String ENV_SANDBOX = "SANDBOX4J_SANDBOX";
    /** Environment variable of the enforcer that holds the interceptor's port. */
    public static final String ENV_INTERCEPTOR_PORT = "SANDBOX4J_DNS_PORT";
    /** The init container's command: feeds the rules to nft (the enforcer image holds sh and nft). */
    public static final List<String> INIT_COMMAND = List.of("/bin/sh", "-c",
            "printf '%s\\n' \"$" + ENV_RULES + "\" | /usr/sbin/nft -f -");
    /** The enforcer sidecar's command (a launcher in the enforcer image). */
    public static final List<String> ENFORCER_COMMAND = List.of("/opt/sandbox4j/bin/enforcer");
    /** Capabilities the workload never has. */
    public static final List<String> WORKLOAD_CAP_DROP = List.of("NET_ADMIN", "NET_RAW");
    /**
     * The main process of a sandbox that was given none: a shell that waits for execs and exits at once on
     * SIGTERM (the same as the Podman backend's).
     */
    public static final List<String> KEEP_ALIVE = List.of("/bin/sh", "-c",
            "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done");

    /**
     * A valid label value. Sandbox4j's own labels whose values do not fit (such as the image reference of a detached
     * sandbox) go into annotations of the same name instead.
     */
    static final Pattern LABEL_VALUE = Pattern.compile("(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private PodManifest() {
    }

    /**
     * The pod for {@code request}. {@code rules} is the in-namespace ruleset for a policed sandbox and must be
     * empty exactly when the policy allows everything.
     */
    public static Pod pod(LaunchRequest request, KubernetesOptions options, Optional<String> rules) {
        SandboxSpec spec = request.spec();
        boolean policed = !spec.egress().allowsEverything();
        if (policed != rules.isPresent()) {
            throw new IllegalArgumentException(policed ? "a policed sandbox needs its rules" : "allow-all has no rules");
        }
        checkSpec(spec);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("kubectl.kubernetes.io/default-container", WORKLOAD);
        Map<String, String> labels = new LinkedHashMap<>();
        request.labels().forEach((k, v) -> {
            if (LABEL_VALUE.matcher(v).matches()) {
                labels.put(k, v);
            } else if (k.startsWith(SandboxSpec.LABEL_PREFIX + ".")) {
                annotations.put(k, v);
            } else {
                throw new SandboxConfigException(badLabel(k, v));
            }
        });
        PodSpecBuilder podSpec = new PodSpecBuilder()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(2L);
        if (!options.runtimeClassName().isEmpty()) {
            podSpec.withRuntimeClassName(options.runtimeClassName());
        }
        if (!options.activeDeadline().isZero()) {
            podSpec.withActiveDeadlineSeconds(options.activeDeadline().toSeconds());
        }
        if (policed) {
            podSpec.addToInitContainers(init(options, rules.get()));
        }
        podSpec.addToContainers(workload(request));
        if (policed) {
            podSpec.addToContainers(enforcer(options, spec, request.name()));
        }
        return new PodBuilder()
                .withNewMetadata()
                .withName(request.name())
                .withNamespace(options.namespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .withOwnerReferences(owners(options))
                .endMetadata()
                .withSpec(podSpec.build())
                .build();
    }

    /** Refuses what a pod cannot do: host mounts, user names, label values Kubernetes does not take. */
    public static void checkSpec(SandboxSpec spec) {
        spec.labels().forEach((k, v) -> {
            if (!LABEL_VALUE.matcher(v).matches()) {
                throw new SandboxConfigException(badLabel(k, v));
            }
        });
        if (!spec.mounts().isEmpty()) {
            throw new SandboxConfigException("the kubernetes runtime cannot mount host paths (" + spec.mounts().get(0)
                    + "): the pod runs on a cluster node, not on this machine; copy files in with copyTo instead");
        }
        spec.user().ifPresent(u -> user(new SecurityContextBuilder(), u));
    }

    private static String badLabel(String key, String value) {
        return "label " + key + "=\"" + value + "\" is not a Kubernetes label value: use at most 63 letters, digits,"
                + " '-', '_' and '.', starting and ending with a letter or digit";
    }

    private static List<OwnerReference> owners(KubernetesOptions options) {
        List<OwnerReference> refs = new ArrayList<>();
        for (KubernetesOptions.Owner o : options.owners()) {
            refs.add(new OwnerReferenceBuilder().withApiVersion(o.apiVersion()).withKind(o.kind()).withName(o.name())
                    .withUid(o.uid()).withBlockOwnerDeletion(false).withController(false).build());
        }
        return refs;
    }

    private static Container workload(LaunchRequest request) {
        SandboxSpec spec = request.spec();
        Set<String> drop = new LinkedHashSet<>(WORKLOAD_CAP_DROP);
        drop.addAll(request.capDrop());
        SecurityContextBuilder security = new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop(new ArrayList<>(drop)).endCapabilities();
        spec.user().ifPresent(u -> user(security, u));
        ContainerBuilder c = new ContainerBuilder()
                .withName(WORKLOAD)
                .withImage(request.image())
                .withImagePullPolicy(pullPolicy(spec.pullPolicy()))
                .withSecurityContext(security.build());
        if (spec.command().isEmpty()) {
            c.withCommand(KEEP_ALIVE);
        } else {
            c.withArgs(spec.command());
        }
        List<EnvVar> env = new ArrayList<>();
        spec.env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        c.withEnv(env);
        spec.workdir().ifPresent(c::withWorkingDir);
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (spec.cpus() > 0) {
            limits.put("cpu", cpu(spec.cpus()));
        }
        spec.memory().ifPresent(m -> limits.put("memory", memory(m)));
        if (!limits.isEmpty()) {
            c.withResources(new ResourceRequirementsBuilder().withRequests(new LinkedHashMap<>(limits))
                    .withLimits(new LinkedHashMap<>(limits)).build());
        }
        List<ContainerPort> ports = new ArrayList<>();
        for (PortMapping p : spec.ports()) {
            ports.add(new ContainerPortBuilder().withContainerPort(p.containerPort())
                    .withProtocol(p.protocol().toUpperCase(Locale.ROOT)).build());
        }
        c.withPorts(ports);
        return c.build();
    }

    private static void user(SecurityContextBuilder security, String user) {
        String[] parts = user.split(":", -1);
        try {
            security.withRunAsUser(Long.parseLong(parts[0]));
            if (parts.length > 1) {
                security.withRunAsGroup(Long.parseLong(parts[1]));
            }
        } catch (NumberFormatException e) {
            throw new SandboxConfigException("user '" + user + "': the kubernetes runtime takes a numeric uid[:gid]"
                    + " (Kubernetes cannot run a container as a user name), such as '1000:1000'");
        }
    }

    private static Container init(KubernetesOptions options, String rules) {
        return new ContainerBuilder()
                .withName(INIT)
                .withImage(options.enforcerImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand(INIT_COMMAND)
                .withEnv(new EnvVar(ENV_RULES, rules, null))
                .withSecurityContext(netAdminOnly())
                .withResources(new ResourceRequirementsBuilder()
                        .withRequests(cpuAndMemory("10m", "16Mi")).withLimits(cpuAndMemory("100m", "64Mi")).build())
                .build();
    }

    private static Container enforcer(KubernetesOptions options, SandboxSpec spec, String sandbox) {
        return new ContainerBuilder()
                .withName(ENFORCER)
                .withImage(options.enforcerImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand(ENFORCER_COMMAND)
                .withEnv(new EnvVar(ENV_POLICY, spec.egress().toString(), null),
                        new EnvVar(ENV_INTERCEPTOR_PORT, Integer.toString(INTERCEPTOR_PORT), null),
                        new EnvVar(ENV_SANDBOX, sandbox, null))
                .withSecurityContext(netAdminOnly())
                .withResources(new ResourceRequirementsBuilder()
                        .withRequests(cpuAndMemory("50m", "96Mi")).withLimits(cpuAndMemory("500m", "256Mi")).build())
                .build();
    }

    private static Map<String, Quantity> cpuAndMemory(String cpu, String memory) {
        Map<String, Quantity> m = new LinkedHashMap<>();
        m.put("cpu", new Quantity(cpu));
        m.put("memory", new Quantity(memory));
        return m;
    }

    /** Root in the container with every capability dropped but NET_ADMIN, read-only root file system. */
    private static SecurityContext netAdminOnly() {
        return new SecurityContextBuilder()
                .withRunAsUser(0L)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withAdd("NET_ADMIN").withDrop("ALL").endCapabilities()
                .build();
    }

    /** The image of a spec that names one; a Dockerfile spec is refused (a cluster pulls images, it builds none). */
    public static String imageReference(SandboxSpec spec) {
        if (spec.image() instanceof ImageSource.Reference r) {
            return r.reference();
        }
        throw new SandboxConfigException("the kubernetes runtime cannot build " + spec.image() + ": build and push the"
                + " image to a registry the cluster pulls from, then name it with image(...)");
    }

    static String pullPolicy(PullPolicy policy) {
        return switch (policy) {
            case NEVER -> "Never";
            case MISSING -> "IfNotPresent";
            case ALWAYS -> "Always";
        };
    }

    /** Cores as millicores when fractional ("500m"), else whole cores ("2"). */
    static Quantity cpu(double cpus) {
        BigDecimal cores = BigDecimal.valueOf(cpus).stripTrailingZeros();
        if (cores.scale() <= 0) {
            return new Quantity(cores.toPlainString());
        }
        BigDecimal milli = cores.movePointRight(3);
        if (milli.stripTrailingZeros().scale() > 0) {
            throw new SandboxConfigException("cpus " + cpus + ": Kubernetes counts CPU in thousandths of a core;"
                    + " round it to three decimals");
        }
        return new Quantity(milli.stripTrailingZeros().toPlainString() + "m");
    }

    /** Bytes, exactly as the spec holds them. */
    static Quantity memory(MemorySize size) {
        return new Quantity(Long.toString(size.bytes()));
    }
}
