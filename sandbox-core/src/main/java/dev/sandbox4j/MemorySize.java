package dev.sandbox4j;

import java.util.Locale;

/**
 * An amount of memory in bytes, with the textual syntax container runtimes use: a number followed by an
 * optional binary unit {@code b}, {@code k}, {@code m}, {@code g} or {@code t} (case-insensitive; 1k = 1024).
 * {@link #toString()} prints the largest unit that divides the size exactly, so {@code parse(s.toString())}
 * round-trips.
 *
 * <pre>{@code MemorySize.parse("512m").bytes() == 536_870_912}</pre>
 *
 * @param bytes the size in bytes, greater than 0
 */
public record MemorySize(long bytes) implements Comparable<MemorySize> {
    private static final String UNITS = "bkmgt";

    /**
     * Checks that the size is positive.
     *
     * @param bytes the size in bytes, greater than 0
     * @throws SandboxConfigException if {@code bytes} is 0 or negative
     */
    public MemorySize {
        if (bytes <= 0) {
            throw new SandboxConfigException("memory size must be positive, got " + bytes + " bytes");
        }
    }

    /**
     * A size of {@code bytes} bytes.
     *
     * @param bytes the size in bytes, greater than 0
     * @return the size
     * @throws SandboxConfigException if {@code bytes} is not positive
     */
    public static MemorySize ofBytes(long bytes) {
        return new MemorySize(bytes);
    }

    /**
     * A size of {@code mebibytes} MiB (1024 * 1024 bytes each).
     *
     * @param mebibytes the size in MiB, greater than 0
     * @return the size
     * @throws SandboxConfigException if {@code mebibytes} is not positive
     * @throws ArithmeticException if the size in bytes overflows a {@code long}
     */
    public static MemorySize ofMebibytes(long mebibytes) {
        return new MemorySize(Math.multiplyExact(mebibytes, 1024L * 1024));
    }

    /**
     * Parses {@code "512m"}, {@code "2g"}, {@code "1048576"} and the like: a whole number with an optional unit
     * {@code b}, {@code k}, {@code m}, {@code g} or {@code t}, in either case and optionally followed by {@code b} or
     * {@code ib} ({@code "512MiB"}, {@code "2gb"}); surrounding white space is ignored.
     *
     * @param text the size text, not null
     * @return the size
     * @throws SandboxConfigException if the text is not a size, is zero, or exceeds {@code Long.MAX_VALUE} bytes
     */
    public static MemorySize parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.length() > 1 && s.endsWith("b") && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        char last = s.charAt(s.length() - 1);
        int shift = 0;
        if (!Character.isDigit(last)) {
            int unit = UNITS.indexOf(last);
            if (unit < 0) {
                throw invalid(text);
            }
            shift = unit * 10;
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit)) {
            throw invalid(text);
        }
        long value;
        try {
            value = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw tooLarge(text);
        }
        if (value == 0) {
            throw new SandboxConfigException("memory size \"" + text + "\" is zero: give a positive amount such as 512m");
        }
        if (shift > 0 && value > (Long.MAX_VALUE >> shift)) {
            throw tooLarge(text);
        }
        return new MemorySize(value << shift);
    }

    private static SandboxConfigException tooLarge(String text) {
        return new SandboxConfigException("memory size \"" + text + "\" is too large: the largest is "
                + (Long.MAX_VALUE >> 40) + "t");
    }

    private static SandboxConfigException invalid(String text) {
        return new SandboxConfigException("invalid memory size \"" + text
                + "\": use a whole number with an optional unit b, k, m, g or t, for example 512m or 2g");
    }

    /** {@return the size in whole MiB, rounded down} */
    public long mebibytes() {
        return bytes >> 20;
    }

    @Override
    public int compareTo(MemorySize other) {
        return Long.compare(bytes, other.bytes);
    }

    @Override
    public String toString() {
        for (int unit = UNITS.length() - 1; unit > 0; unit--) {
            long size = 1L << (unit * 10);
            if (bytes % size == 0) {
                return (bytes / size) + String.valueOf(UNITS.charAt(unit));
            }
        }
        return Long.toString(bytes);
    }
}
