package dev.sandbox4j.egress.testbed;

import dev.sandbox4j.testing.FakeInternet;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * How these tests get their fake internet (the {@linkplain FakeInternet#standard() standard layout}): a bed of their
 * own when the JVM runs as root; the bed root prepared when {@code sandbox4j.testbed} (system property) or
 * {@code SANDBOX4J_TESTBED} (environment) names its directory (scripts/rootless-tests.sh does that for the rootless
 * run); else the test is skipped with the reason, or fails when {@code SANDBOX4J_REQUIRE_RUNTIME} is set.
 */
public final class TestBed {
    private TestBed() {
    }

    /** {@return the fake internet for one test class; close it when done (an attached bed stays)} */
    public static FakeInternet fakeInternet() {
        String prepared = System.getProperty("sandbox4j.testbed", System.getenv("SANDBOX4J_TESTBED"));
        if (prepared != null && !prepared.isBlank()) {
            return FakeInternet.attach(Path.of(prepared));
        }
        Optional<String> unavailable = FakeInternet.unavailableReason();
        if (unavailable.isPresent()) {
            String reason = unavailable.get() + " (as root, scripts/rootless-tests.sh prepares one and runs these "
                    + "tests as an ordinary user)";
            if (System.getenv("SANDBOX4J_REQUIRE_RUNTIME") != null) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        return FakeInternet.standard().start();
    }
}
