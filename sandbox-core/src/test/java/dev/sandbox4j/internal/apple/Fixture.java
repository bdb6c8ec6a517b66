package dev.sandbox4j.internal.apple;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A test fixture under {@code src/test/resources/apple/}: provenance header lines ({@code # key: value}), a line
 * {@code ---}, then the CLI output byte for byte.
 */
record Fixture(String name, Map<String, String> provenance, String payload) {

    static Fixture load(String name) {
        try (InputStream in = Fixture.class.getResourceAsStream("/apple/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture apple/" + name);
            }
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Fixture parse(String name, String text) {
        int sep = text.indexOf("\n---\n");
        if (sep < 0) {
            throw new IllegalArgumentException("fixture " + name + " has no '---' line after its provenance");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (String line : text.substring(0, sep).split("\n")) {
            if (!line.startsWith("# ") || line.indexOf(": ") < 0) {
                throw new IllegalArgumentException("fixture " + name + " has a malformed header line: " + line);
            }
            meta.put(line.substring(2, line.indexOf(": ")), line.substring(line.indexOf(": ") + 2));
        }
        String payload = text.substring(sep + 5);
        return new Fixture(name, meta, payload.endsWith("\n") ? payload.substring(0, payload.length() - 1) : payload);
    }

    /** Every fixture in one folder ("captured", "constructed", "errors", "recorded"), by name. */
    static List<Fixture> all(String folder) {
        URL url = Fixture.class.getResource("/apple/" + folder);
        if (url == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> folder + "/" + p.getFileName()).sorted().map(Fixture::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    String meta(String key) {
        String v = provenance.get(key);
        if (v == null) {
            throw new IllegalArgumentException("fixture " + name + " has no '" + key + "' line");
        }
        return v;
    }

    @Override
    public String toString() {
        return name;
    }
}
