package dev.sandbox4j.egress.internal.macos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandbox4j.ImageSource;
import dev.sandbox4j.PullPolicy;
import dev.sandbox4j.Sandbox;
import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.SandboxStartException;
import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The VM init image of a policed Apple sandbox: Apple's own {@code vminit} image with {@code /sbin/vminitd}
 * moved to {@code /sbin/vminitd.real} and Sandbox4j's guest piece (linux/arm64, built from
 * {@code sandbox-egress/src/guest/sb4j-guest.c} into this jar) as {@code /sbin/vminitd} — the wrapping Apple
 * documents for {@code --init-image} (apple/container {@code docs/how-to.md}, "Use a custom init image").
 *
 * <p>The base is the init image the installed {@code container} boots by default: {@code vminit.image} of
 * {@code container system property list --format json} (1.0.0+), or the system property
 * {@value #BASE_PROPERTY}. The image is built once per base and guest binary with {@code container build}
 * (through the backend) and reused while it is in the local image store.
 */
final class MacInitImage {
    /** Overrides the base init image, e.g. {@code ghcr.io/apple/containerization/vminit:0.40.1}. */
    static final String BASE_PROPERTY = "sandbox4j.apple.vminitImage";
    /** The Apple backend's CLI property (same name as the backend reads). */
    static final String CLI_PROPERTY = "sandbox4j.container.cli";
    /** Where build contexts are written; default {@code ~/.cache/sandbox4j/egress-init}. */
    static final String CACHE_PROPERTY = "sandbox4j.apple.initImageCache";
    /** The guest piece for the VM's architecture, packaged by the build (src/guest/build.sh). */
    static final String GUEST_RESOURCE = "/dev/sandbox4j/egress/guest/linux-arm64/sb4j-guest";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    private static final Map<String, String> BUILT = new ConcurrentHashMap<>();

    /** Where a session gets its init image from. */
    @FunctionalInterface
    interface Source {
        /** The image reference to pass to {@code --init-image}, built first if needed. */
        String image(RuntimeBackend backend);
    }

    private MacInitImage() {
    }

    /** The Containerfile of the wrapped init image; {@code VMINIT} is a build argument. Pure. */
    static String containerfile() {
        return """
                # Sandbox4j egress init image: Apple's vminit with the guest piece as /sbin/vminitd.
                ARG VMINIT
                FROM ${VMINIT} AS base
                FROM ${VMINIT}
                COPY --from=base /sbin/vminitd /sbin/vminitd.real
                COPY sb4j-guest /sbin/vminitd
                """;
    }

    /** Reads {@code vminit.image} from {@code container system property list --format json} output. Pure. */
    static String baseFromProperties(String json) {
        try {
            JsonNode image = new ObjectMapper().readTree(json).path("vminit").path("image");
            if (image.isTextual() && !image.asText().isBlank()) {
                return image.asText().strip();
            }
        } catch (IOException e) {
            // fall through to the error below
        }
        throw new SandboxConfigException("`container system property list --format json` did not name the init "
                + "image (vminit.image); it does from container 1.0.0 on: upgrade, or set -D" + BASE_PROPERTY
                + "=ghcr.io/apple/containerization/vminit:<version>");
    }

    /** The source that builds the image with the backend, reading the base from the CLI. */
    static Source building(CommandRunner runner, HostEnvironment host) {
        return backend -> {
            String base = System.getProperty(BASE_PROPERTY, "").strip();
            if (base.isEmpty()) {
                base = baseFromProperties(propertyList(runner, host));
            }
            byte[] guest = guestBinary();
            String key = sha256(guest, base.getBytes(StandardCharsets.UTF_8),
                    containerfile().getBytes(StandardCharsets.UTF_8));
            String cached = BUILT.get(key);
            if (cached != null && present(backend, cached)) {
                return cached;
            }
            String built = build(backend, base, guest, key);
            BUILT.put(key, built);
            return built;
        };
    }

    private static String propertyList(CommandRunner runner, HostEnvironment host) {
        String cli = System.getProperty(CLI_PROPERTY, "").strip();
        if (cli.isEmpty()) {
            cli = host.findExecutable("container").map(Path::toString)
                    .or(() -> host.findExecutable("/usr/local/bin/container").map(Path::toString))
                    .orElse("container");
        }
        CommandResult r = runner.run(Command.builder(List.of(cli, "system", "property", "list", "--format", "json"))
                .timeout(Duration.ofSeconds(30)).build());
        if (r.exitCode() != 0) {
            throw new SandboxStartException("`" + cli + " system property list --format json` exited "
                    + r.exitCode() + ", so the base init image is unknown: set -D" + BASE_PROPERTY
                    + "=<the vminit image your container boots>");
        }
        return r.stdout();
    }

    static byte[] guestBinary() {
        try (InputStream in = MacInitImage.class.getResourceAsStream(GUEST_RESOURCE)) {
            if (in == null) {
                throw new SandboxConfigException("this sandbox-egress jar has no linux/arm64 guest piece ("
                        + GUEST_RESOURCE + "): it was built without gcc-aarch64-linux-gnu; rebuild it where "
                        + "sandbox-egress/src/guest/build.sh can cross-compile");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SandboxStartException("could not read the guest piece " + GUEST_RESOURCE, e);
        }
    }

    /** Writes the build context (Containerfile + guest binary) into {@code dir}. */
    static void writeContext(Path dir, byte[] guest) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Containerfile"), containerfile());
        Path bin = dir.resolve("sb4j-guest");
        Files.write(bin, guest);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String build(RuntimeBackend backend, String base, byte[] guest, String key) {
        String cache = System.getProperty(CACHE_PROPERTY, "").strip();
        Path dir = (cache.isEmpty() ? Path.of(System.getProperty("user.home"), ".cache", "sandbox4j", "egress-init")
                : Path.of(cache)).resolve(key.substring(0, 16));
        try {
            writeContext(dir, guest);
        } catch (IOException e) {
            throw new SandboxStartException("could not write the init image build context " + dir + ": "
                    + e.getMessage(), e);
        }
        ImageSource.Build build = new ImageSource.Build(dir, Path.of("Containerfile"), Map.of("VMINIT", base));
        return backend.prepareImage(Sandbox.builder().image(build).build(), BUILD_TIMEOUT);
    }

    /** Whether the image is still in the local store (someone may have pruned it since it was built). */
    private static boolean present(RuntimeBackend backend, String image) {
        try {
            backend.prepareImage(Sandbox.builder().image(image).pullPolicy(PullPolicy.NEVER).build(),
                    Duration.ofSeconds(30));
            return true;
        } catch (SandboxConfigException e) {
            return false;
        }
    }

    static String sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
