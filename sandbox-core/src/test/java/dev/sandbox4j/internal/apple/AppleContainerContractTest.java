package dev.sandbox4j.internal.apple;

import dev.sandbox4j.contract.RuntimeContract;
import dev.sandbox4j.contract.RuntimeRequirement;
import dev.sandbox4j.contract.TestImages;

/**
 * The runtime contract against Apple's {@code container} on a Mac (macOS 26, Apple silicon). Elsewhere it is
 * skipped with the reason, unless {@code SANDBOX4J_REQUIRE_RUNTIME=apple-container} makes that a failure (the
 * macOS CI workflow sets it).
 */
class AppleContainerContractTest extends RuntimeContract {
    @Override
    protected String runtime() {
        return "apple-container";
    }

    @Override
    protected String image() {
        RuntimeRequirement.require("apple-container");
        return TestImages.busyboxForAppleContainer();
    }
}
