package dev.sandbox4j;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Where a sandbox's image comes from: an existing image reference, or a Dockerfile built before the start. */
public sealed interface ImageSource {

    /**
     * An image by reference, such as {@code localhost/busybox:latest} or {@code docker.io/library/alpine:3.20}.
     *
     * @param reference {@code [registry/]name[:tag][@digest]} with a lowercase name, at most 255 characters
     */
    record Reference(String reference) implements ImageSource {
        // The distribution reference grammar: [host[:port]/]path[:tag][@digest], path components in lowercase.
        private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
        private static final String HOST = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
                + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)";
        private static final Pattern GRAMMAR = Pattern.compile(HOST + "?" + COMPONENT + "(?:/" + COMPONENT + ")*"
                + "(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

        /**
         * Checks the reference against the image reference grammar. Whether the image exists is found out at start.
         *
         * @param reference {@code [registry/]name[:tag][@digest]} with a lowercase name, at most 255 characters
         * @throws SandboxConfigException if the reference is null, blank, too long or malformed
         */
        public Reference {
            if (reference == null || reference.isBlank()) {
                throw new SandboxConfigException("image reference is empty: name an image such as localhost/busybox:latest");
            }
            if (reference.length() > 255 || !GRAMMAR.matcher(reference).matches()) {
                throw new SandboxConfigException("malformed image reference \"" + reference
                        + "\": use [registry/]name[:tag][@digest] with a lowercase name, e.g. localhost/busybox:latest");
            }
        }

        @Override
        public String toString() {
            return reference;
        }
    }

    /**
     * A Dockerfile (or Containerfile) built into an image before the sandbox starts. The context directory is
     * sent to the build; the Dockerfile defaults to {@code Dockerfile} inside it.
     *
     * @param context    the build context directory; made absolute
     * @param dockerfile the Dockerfile, resolved against the context and made absolute; {@code null} to the
     *                   constructor means {@code context/Dockerfile}
     * @param buildArgs  {@code --build-arg} values; {@code null} to the constructor means none
     */
    record Build(Path context, Path dockerfile, Map<String, String> buildArgs) implements ImageSource {
        /**
         * Makes the paths absolute, resolves the Dockerfile against the context and copies the build arguments. Reads
         * nothing from the host: whether the files exist is checked at start.
         *
         * @param context    the build context directory; made absolute
         * @param dockerfile the Dockerfile, resolved against the context and made absolute; {@code null} to the
         *                   constructor means {@code context/Dockerfile}
         * @param buildArgs  {@code --build-arg} values; {@code null} to the constructor means none
         * @throws SandboxConfigException if {@code context} is null
         */
        public Build {
            if (context == null) {
                throw new SandboxConfigException("build context directory must not be null");
            }
            context = context.toAbsolutePath().normalize();
            dockerfile = (dockerfile == null ? context.resolve("Dockerfile") : context.resolve(dockerfile))
                    .toAbsolutePath().normalize();
            buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs == null ? Map.of() : buildArgs));
        }

        @Override
        public String toString() {
            return "build " + dockerfile + " in " + context;
        }
    }
}
