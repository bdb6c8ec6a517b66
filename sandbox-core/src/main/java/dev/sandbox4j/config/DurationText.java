package dev.sandbox4j.config;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.internal.config.Durations;
import java.time.Duration;

/**
 * Durations as {@code sandbox.json} and the {@code sandbox} command write them: {@code "500ms"}, {@code "60s"},
 * {@code "1m30s"}, {@code "2h"}, or ISO-8601 {@code "PT1M"}.
 *
 * <pre>{@code
 * DurationText.parse("1m30s");                  // PT1M30S
 * DurationText.format(Duration.ofSeconds(90));  // "90s"
 * }</pre>
 */
public final class DurationText {
    private DurationText() {
    }

    /**
     * Parses a positive duration: {@code "500ms"}, {@code "60s"}, {@code "1m30s"}, {@code "2h"} or ISO-8601
     * {@code "PT1M"}.
     *
     * @param text the duration text
     * @return the duration, greater than zero
     * @throws SandboxConfigException naming the accepted forms, for text that is none of them or not positive
     */
    public static Duration parse(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SandboxConfigException(e.getMessage(), e);
        }
    }

    /**
     * The shortest text {@link #parse} reads back as the same duration.
     *
     * @param duration the duration to write
     * @return the text, such as {@code "90s"}
     */
    public static String format(Duration duration) {
        return Durations.format(duration);
    }
}
