package dev.sandbox4j.junit;

import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the tests that drive fixture classes through the engine test kit ({@link Kit}) share: Podman is required
 * (the test is skipped without it), the busybox image is built, and the ids the fixtures record start empty for
 * every test. One map serves every such class, so these classes run one at a time (JUnit's default).
 */
abstract class KitTest {
    static final String IMAGE = TestImages.BUSYBOX;
    /** Container ids the fixtures saw, by fixture test name. */
    static final Map<String, String> IDS = new ConcurrentHashMap<>();

    @BeforeAll
    static void podman() {
        RuntimeRequirement.require("podman");
        TestImages.busybox();
    }

    @BeforeEach
    void clear() {
        IDS.clear();
    }
}
