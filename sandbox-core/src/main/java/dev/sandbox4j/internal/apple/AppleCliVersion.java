package dev.sandbox4j.internal.apple;

import dev.sandbox4j.SandboxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version of Apple's {@code container} CLI, read from {@code container --version}
 * ({@code container CLI version 1.2.2 (build: release, commit: 0190097)}). Compared numerically.
 */
public record AppleCliVersion(int major, int minor, int patch) implements Comparable<AppleCliVersion> {
    private static final Pattern NUMBERS = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final Pattern BANNER = Pattern.compile("version\\s+v?(\\d+\\.\\d+(?:\\.\\d+)?)");

    public AppleCliVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version parts must not be negative: " + major + "." + minor + "." + patch);
        }
    }

    /** Parses "1.2.2", "0.9.0-33-g1942a39" and the like. */
    public static AppleCliVersion parse(String text) {
        Matcher m = NUMBERS.matcher(text.strip());
        if (!m.lookingAt()) {
            throw new SandboxException("\"" + text.strip() + "\" is not a container CLI version");
        }
        return new AppleCliVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    /**
     * Reads the output of {@code container --version}. Builds without a version (MacPorts tarball builds print
     * {@code container CLI version  (build: release, commit: )}) are refused with the fix.
     */
    public static AppleCliVersion fromBanner(String output) {
        Matcher m = BANNER.matcher(output);
        if (!m.find()) {
            throw new SandboxException("`container --version` printed no version number (\"" + output.strip()
                    + "\"): install a release build of container from https://github.com/apple/container/releases");
        }
        return parse(m.group(1));
    }

    public boolean atLeast(AppleCliVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(AppleCliVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
