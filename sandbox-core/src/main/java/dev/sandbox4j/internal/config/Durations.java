package dev.sandbox4j.internal.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written as {@code "60s"}, {@code "500ms"}, {@code "1m30s"}, {@code "2h"} or ISO-8601 {@code "PT1M"}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {
    }

    /** Parses a positive duration; throws {@link IllegalArgumentException} with the accepted forms. */
    public static Duration parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        Duration d;
        if (s.startsWith("pt") || s.startsWith("p")) {
            try {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        } else {
            Matcher m = PART.matcher(s);
            int end = 0;
            d = Duration.ZERO;
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
                end = m.end();
            }
            if (end == 0 || end != s.length()) {
                throw invalid(text);
            }
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("duration \"" + text + "\" must be positive, for example \"60s\"");
        }
        return d;
    }

    /** The shortest text {@link #parse} reads back as the same duration. */
    public static String format(Duration d) {
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration \"" + text
                + "\": write a number with a unit ms, s, m or h (\"60s\", \"1m30s\") or ISO-8601 (\"PT60S\")");
    }
}
