package dev.sandbox4j.kubernetes;

import dev.sandbox4j.SandboxConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where and how the {@code kubernetes} runtime runs sandboxes: the namespace, an optional RuntimeClass, the
 * enforcer image, the pod's deadline and the owners that garbage-collect its pods. Immutable; make one with
 * {@link #builder()}, derive with {@link #toBuilder()}, or read it from the environment with {@link #fromEnv}.
 *
 * @param namespace        namespace the pods are created in
 * @param runtimeClassName RuntimeClass of the pods (e.g. {@code gvisor}, {@code kata}); empty means the cluster's
 *                         default
 * @param enforcerImage    image of the init container and the enforcer sidecar of policed sandboxes
 * @param activeDeadline   {@code activeDeadlineSeconds} of the pod; zero means none
 * @param owners           owner references put on every pod, so the cluster removes the pods with their owner
 */
public record KubernetesOptions(String namespace, String runtimeClassName, String enforcerImage,
                                Duration activeDeadline, List<Owner> owners) {

    /** Namespace unless set otherwise. */
    public static final String DEFAULT_NAMESPACE = "sandbox4j";
    /** Repository of the enforcer image unless set otherwise; the tag is the library's version. */
    public static final String DEFAULT_ENFORCER_REPOSITORY = "localhost/sandbox4j/enforcer";
    /** Environment variable read by {@link #fromEnv} for the namespace. */
    public static final String ENV_NAMESPACE = "SANDBOX4J_KUBE_NAMESPACE";
    /** Environment variable read by {@link #fromEnv} for the RuntimeClass. */
    public static final String ENV_RUNTIME_CLASS = "SANDBOX4J_KUBE_RUNTIME_CLASS";
    /** Environment variable read by {@link #fromEnv} for the enforcer image. */
    public static final String ENV_ENFORCER_IMAGE = "SANDBOX4J_KUBE_ENFORCER_IMAGE";
    /** Environment variable read by {@link #fromEnv} for the deadline in seconds. */
    public static final String ENV_ACTIVE_DEADLINE = "SANDBOX4J_KUBE_ACTIVE_DEADLINE_SECONDS";
    /**
     * Environment variables read by {@link #fromEnv}: the name and uid of the pod this JVM runs in (set them
     * through the downward API), which then owns every sandbox pod.
     */
    public static final String ENV_OWNER_POD_NAME = "SANDBOX4J_KUBE_OWNER_POD_NAME";
    /** See {@link #ENV_OWNER_POD_NAME}. */
    public static final String ENV_OWNER_POD_UID = "SANDBOX4J_KUBE_OWNER_POD_UID";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?");

    /**
     * An owner reference: the object whose deletion deletes the pod.
     *
     * @param apiVersion e.g. {@code v1}
     * @param kind       e.g. {@code Pod}
     * @param name       the owner's name, in the pod's namespace
     * @param uid        the owner's uid
     */
    public record Owner(String apiVersion, String kind, String name, String uid) {
        /**
         * Checks that every field is given.
         *
         * @param apiVersion e.g. {@code v1}
         * @param kind       e.g. {@code Pod}
         * @param name       the owner's name, in the pod's namespace
         * @param uid        the owner's uid
         * @throws SandboxConfigException if a field is null or blank
         */
        public Owner {
            for (String[] f : new String[][] {{"apiVersion", apiVersion}, {"kind", kind}, {"name", name}, {"uid", uid}}) {
                if (f[1] == null || f[1].isBlank()) {
                    throw new SandboxConfigException("an owner reference needs its " + f[0] + ": give all four of "
                            + "apiVersion, kind, name and uid (kubectl get KIND NAME -o jsonpath='{.metadata.uid}')");
                }
            }
        }

        /**
         * A pod in the same namespace ({@code apiVersion v1}, {@code kind Pod}).
         *
         * @param name the pod's name
         * @param uid  the pod's uid ({@code metadata.uid})
         * @return the owner reference
         * @throws SandboxConfigException if {@code name} or {@code uid} is null or blank
         */
        public static Owner pod(String name, String uid) {
            return new Owner("v1", "Pod", name, uid);
        }
    }

    /**
     * Checks every value; a {@code null} RuntimeClass becomes {@code ""} and the owners are copied.
     *
     * @param namespace        namespace the pods are created in
     * @param runtimeClassName RuntimeClass of the pods (e.g. {@code gvisor}, {@code kata}); empty means the cluster's
     *                         default
     * @param enforcerImage    image of the init container and the enforcer sidecar of policed sandboxes
     * @param activeDeadline   {@code activeDeadlineSeconds} of the pod; zero means none
     * @param owners           owner references put on every pod, so the cluster removes the pods with their owner
     * @throws SandboxConfigException if the namespace is not a DNS label, the RuntimeClass is not a DNS subdomain,
     *         the enforcer image is blank or contains white space, or the deadline is negative or below one second
     */
    public KubernetesOptions {
        if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
            throw new SandboxConfigException("Kubernetes namespace '" + namespace + "' is not a DNS label: use at most"
                    + " 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
        }
        if (runtimeClassName == null) {
            runtimeClassName = "";
        }
        if (!runtimeClassName.isEmpty() && !DNS_SUBDOMAIN.matcher(runtimeClassName).matches()) {
            throw new SandboxConfigException("RuntimeClass name '" + runtimeClassName + "' is not a DNS subdomain: "
                    + "use lowercase letters, digits, '-' and '.', as in 'gvisor'");
        }
        if (enforcerImage == null || enforcerImage.isBlank() || enforcerImage.chars().anyMatch(Character::isWhitespace)) {
            throw new SandboxConfigException("enforcer image '" + enforcerImage + "' is not an image reference: give"
                    + " one such as '" + defaultEnforcerImage() + "'");
        }
        if (activeDeadline == null || activeDeadline.isNegative()
                || (!activeDeadline.isZero() && activeDeadline.toSeconds() < 1)) {
            throw new SandboxConfigException("active deadline " + activeDeadline + " must be zero (none) or at least"
                    + " one second");
        }
        owners = List.copyOf(owners);
    }

    /**
     * {@return the defaults: namespace {@value #DEFAULT_NAMESPACE}, no RuntimeClass, the local enforcer image, no
     * deadline, no owners}
     */
    public static KubernetesOptions defaults() {
        return builder().build();
    }

    /** {@return a new builder with every option at its default} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a new builder holding every option of this instance, to derive a variant} */
    public Builder toBuilder() {
        Builder b = new Builder().namespace(namespace).runtimeClassName(runtimeClassName).enforcerImage(enforcerImage)
                .activeDeadline(activeDeadline);
        owners.forEach(b::owner);
        return b;
    }

    /**
     * Options from the {@code SANDBOX4J_KUBE_*} environment variables; unset or blank ones keep their defaults.
     *
     * @param env the environment, such as {@code System.getenv()}
     * @return the options
     * @throws SandboxConfigException if a variable holds an invalid value, the deadline is not a whole number of
     *         seconds, or only one of {@link #ENV_OWNER_POD_NAME} and {@link #ENV_OWNER_POD_UID} is set
     */
    public static KubernetesOptions fromEnv(Map<String, String> env) {
        Builder b = builder();
        String ns = env.get(ENV_NAMESPACE);
        if (ns != null && !ns.isBlank()) {
            b.namespace(ns.strip());
        }
        String rc = env.get(ENV_RUNTIME_CLASS);
        if (rc != null) {
            b.runtimeClassName(rc.strip());
        }
        String image = env.get(ENV_ENFORCER_IMAGE);
        if (image != null && !image.isBlank()) {
            b.enforcerImage(image.strip());
        }
        String deadline = env.get(ENV_ACTIVE_DEADLINE);
        if (deadline != null && !deadline.isBlank()) {
            try {
                b.activeDeadline(Duration.ofSeconds(Long.parseLong(deadline.strip())));
            } catch (NumberFormatException e) {
                throw new SandboxConfigException(ENV_ACTIVE_DEADLINE + "='" + deadline + "' is not a number of seconds");
            }
        }
        String ownerName = env.get(ENV_OWNER_POD_NAME);
        String ownerUid = env.get(ENV_OWNER_POD_UID);
        if (ownerName != null || ownerUid != null) {
            if (ownerName == null || ownerUid == null) {
                throw new SandboxConfigException("set both " + ENV_OWNER_POD_NAME + " and " + ENV_OWNER_POD_UID
                        + " (from the downward API: metadata.name and metadata.uid), or neither");
            }
            b.owner(Owner.pod(ownerName, ownerUid));
        }
        return b.build();
    }

    /** {@return {@value #DEFAULT_ENFORCER_REPOSITORY} tagged with this library's version} */
    public static String defaultEnforcerImage() {
        return DEFAULT_ENFORCER_REPOSITORY + ":" + Version.VALUE;
    }

    /** The library's version, read once from the jar. */
    static final class Version {
        static final String VALUE = read();

        private Version() {
        }

        private static String read() {
            try (InputStream in = KubernetesOptions.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IllegalStateException("version.properties is missing from the sandbox-kubernetes jar");
                }
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Mutable builder for {@link KubernetesOptions}. */
    public static final class Builder {
        private String namespace = DEFAULT_NAMESPACE;
        private String runtimeClassName = "";
        private String enforcerImage = defaultEnforcerImage();
        private Duration activeDeadline = Duration.ZERO;
        private final List<Owner> owners = new ArrayList<>();

        private Builder() {
        }

        /**
         * Namespace of the pods; default {@value #DEFAULT_NAMESPACE}.
         *
         * @param namespace a DNS label; checked by {@link #build()}
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /**
         * RuntimeClass of the pods; default none (empty).
         *
         * @param runtimeClassName a RuntimeClass name such as {@code gvisor}, or {@code ""} for the cluster's default
         * @return this builder
         */
        public Builder runtimeClassName(String runtimeClassName) {
            this.runtimeClassName = runtimeClassName;
            return this;
        }

        /**
         * Enforcer image; default {@value #DEFAULT_ENFORCER_REPOSITORY} tagged with the library's version.
         *
         * @param enforcerImage an image reference the cluster can pull
         * @return this builder
         */
        public Builder enforcerImage(String enforcerImage) {
            this.enforcerImage = enforcerImage;
            return this;
        }

        /**
         * The pod's {@code activeDeadlineSeconds}; default zero (none).
         *
         * @param activeDeadline zero for none, else at least one second
         * @return this builder
         */
        public Builder activeDeadline(Duration activeDeadline) {
            this.activeDeadline = activeDeadline;
            return this;
        }

        /**
         * Adds an owner reference; default none.
         *
         * @param owner the object whose deletion deletes the pods
         * @return this builder
         */
        public Builder owner(Owner owner) {
            owners.add(owner);
            return this;
        }

        /**
         * Checks every option and makes the immutable options.
         *
         * @return the options
         * @throws SandboxConfigException if an option is invalid; the message says how to fix it
         */
        public KubernetesOptions build() {
            return new KubernetesOptions(namespace, runtimeClassName, enforcerImage, activeDeadline, owners);
        }
    }
}
