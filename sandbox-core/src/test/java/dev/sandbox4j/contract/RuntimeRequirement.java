package dev.sandbox4j.contract;

import dev.sandbox4j.internal.Runtimes;
import dev.sandbox4j.spi.HostEnvironment;
import dev.sandbox4j.spi.RuntimeProvider;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether runtime tests run: they are skipped with the reason when the runtime is missing, unless
 * {@code SANDBOX4J_REQUIRE_RUNTIME} names it, in which case a missing runtime fails the test run.
 */
public final class RuntimeRequirement {
    private RuntimeRequirement() {
    }

    public static void require(String runtime) {
        RuntimeProvider provider = Runtimes.providers().stream().filter(p -> p.name().equals(runtime)).findFirst()
                .orElseThrow(() -> new AssertionError("no provider named " + runtime));
        HostEnvironment host = HostEnvironment.current();
        if (provider.detect(host)) {
            return;
        }
        String reason = runtime + " is not available: " + provider.unavailableReason(host);
        String required = System.getenv("SANDBOX4J_REQUIRE_RUNTIME");
        if (required != null && required.equals(runtime)) {
            throw new AssertionError(reason + " (SANDBOX4J_REQUIRE_RUNTIME=" + required + " makes this a failure)");
        }
        Assumptions.abort(reason + " (set SANDBOX4J_REQUIRE_RUNTIME=" + runtime + " to fail instead)");
    }
}
