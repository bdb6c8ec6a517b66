package dev.sandbox4j.contract;

/** The runtime contract on Podman with the offline busybox image; skipped without Podman. */
public abstract class PodmanContract extends RuntimeContract {
    @Override
    protected String runtime() {
        return "podman";
    }

    @Override
    protected String image() {
        RuntimeRequirement.require("podman");
        return TestImages.busybox();
    }
}
