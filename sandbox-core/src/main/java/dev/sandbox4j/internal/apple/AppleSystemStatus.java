package dev.sandbox4j.internal.apple;

import java.util.Optional;

/**
 * What {@code container system status} said: flat JSON (0.10.0–1.3.x), nested JSON (1.4.1+), or one line of
 * text (before 0.10.0).
 *
 * @param status           {@code running}, {@code not running}, {@code unregistered}, or the text printed
 * @param apiServerVersion the API server's version line, when running
 * @param appRoot          the data root, when reported
 */
public record AppleSystemStatus(String status, Optional<String> apiServerVersion, Optional<String> appRoot) {
    public boolean running() {
        return status.equals("running");
    }
}
