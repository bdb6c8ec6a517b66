package dev.sandbox4j.internal;

import dev.sandbox4j.ImageSource;
import dev.sandbox4j.spi.Command;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the runtimes' image builds and pulls share: the tag a built image gets, and the way their progress is
 * reported. No I/O.
 */
public final class ImageBuilds {
    /** Where build and pull progress lines go, one log line per line the CLI writes. */
    private static final Logger BUILD_LOG = LoggerFactory.getLogger("dev.sandbox4j.build");
    private static final int MAX_OUTPUT_BYTES = 1 << 20;

    private ImageBuilds() {
    }

    /**
     * The tag of the image built from a Containerfile and context: {@code localhost/sandbox4j-build/<hash>:latest},
     * the hash taken over both paths, so the same build is found again under the same tag.
     *
     * @param build the Containerfile and its context directory
     * @return the tag
     */
    public static String tag(ImageSource.Build build) {
        return "localhost/sandbox4j-build/" + digest(build.dockerfile() + "\0" + build.context()) + ":latest";
    }

    /**
     * Sends a build's or pull's output, line by line as it comes, to the {@code dev.sandbox4j.build} logger at INFO,
     * so a slow one shows what it does, and keeps at most 1 MiB of it for the result.
     *
     * @param command the build or pull command
     * @return {@code command}
     */
    public static Command.Builder withProgress(Command.Builder command) {
        return command.stdoutLines(line -> BUILD_LOG.info("{}", line))
                .stderrLines(line -> BUILD_LOG.info("{}", line))
                .maxOutputBytes(MAX_OUTPUT_BYTES);
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
