package dev.sandbox4j.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A Mac as one process sees it, without a Mac: its sysctls and files, from maps a test fills. */
public class FakeMac implements MacOsVersion.Source {
    /** String sysctls by name. */
    public final Map<String, String> strings = new HashMap<>();
    /** Integer sysctls by name. */
    public final Map<String, Long> longs = new HashMap<>();
    /** File contents by path. */
    public final Map<String, String> files = new HashMap<>();

    @Override
    public Optional<String> sysctlString(String name) {
        return Optional.ofNullable(strings.get(name));
    }

    @Override
    public Optional<Long> sysctlLong(String name) {
        return Optional.ofNullable(longs.get(name));
    }

    @Override
    public Optional<String> readFile(String path) {
        return Optional.ofNullable(files.get(path));
    }
}
