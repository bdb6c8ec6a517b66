package dev.sandbox4j.cli;

import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's sandbox name for {@code run -d --name}, registered on an instance field: a fresh name per test, the
 * test skipped without Podman, and whatever runs under the name removed with {@code sandbox rm} after the test.
 */
final class NamedSandbox implements BeforeEachCallback, AfterEachCallback {
    private final String name;
    private String image;

    NamedSandbox(String prefix) {
        this.name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        image = Cli.busybox();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Cli.run("rm", name);
    }

    /** The name this test's sandbox runs under. */
    String name() {
        return name;
    }

    /** The busybox test image. */
    String image() {
        return image;
    }

    /** {@code sandbox run -d --name NAME IMAGE COMMAND...}, which must succeed. */
    void keep(String... command) {
        Cli.keep(name, image, command);
    }
}
