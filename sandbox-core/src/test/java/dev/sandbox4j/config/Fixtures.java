package dev.sandbox4j.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Access to the constructed fixtures under {@code src/test/resources/config} (see the README there). */
final class Fixtures {
    private Fixtures() {
    }

    static Path fixture(String relative) {
        URL url = Fixtures.class.getResource("/config/" + relative);
        if (url == null) {
            throw new IllegalStateException("missing fixture config/" + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code text} to {@code dir/name} and returns the file. */
    static Path write(Path dir, String name, String text) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
