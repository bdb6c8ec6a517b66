package dev.sandbox4j;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Where a sandbox's image comes from: an existing image reference, or a Dockerfile built before the start. */
public sealed interface ImageSource {

    /** An image by reference, such as {@code localhost/busybox:latest} or {@code docker.io/library/alpine:3.20}. */
    record Reference(String reference) implements ImageSource {
        // The distribution reference grammar: [host[:port]/]path[:tag][@digest], path components in lowercase.
        private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
        private static final String HOST = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
                + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)";
        private static final Pattern GRAMMAR = Pattern.compile(HOST + "?" + COMPONENT + "(?:/" + COMPONENT + ")*"
                + "(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

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
     */
    record Build(Path context, Path dockerfile, Map<String, String> buildArgs) implements ImageSource {
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
