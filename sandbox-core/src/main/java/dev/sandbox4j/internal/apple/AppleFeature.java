package dev.sandbox4j.internal.apple;

import dev.sandbox4j.SandboxConfigException;

/**
 * What Sandbox4j uses of the {@code container} CLI that did not exist in every release, with the release that
 * introduced it (from scanning apple/container's tags; see docs/runtimes/apple-container.md).
 */
public enum AppleFeature {
    NETWORKS("container networks (--network, `container network ...`)", 0, 2, 0),
    PUBLISH("published ports (--publish)", 0, 3, 0),
    PLATFORM("--platform", 0, 4, 0),
    IMAGE_COMMAND_GROUP("the `container image` command group (0.1-0.4 called it `container images`)", 0, 5, 0),
    NETWORK_NONE("--network none", 0, 6, 0),
    PROGRESS("--progress", 0, 7, 0),
    PORT_RANGES("port ranges in --publish", 0, 7, 0),
    READ_ONLY("--read-only", 0, 8, 0),
    IPV6_PUBLISH("IPv6 host addresses in --publish", 0, 8, 0),
    ULIMIT("--ulimit", 0, 9, 0),
    INIT_IMAGE("--init-image", 0, 10, 0),
    INIT("--init", 0, 10, 0),
    STATUS_JSON("`container system status --format json`", 0, 10, 0),
    SYSTEM_VERSION("`container system version`", 0, 10, 0),
    CAP_DROP("--cap-add/--cap-drop", 0, 12, 0),
    DNS_VALIDATED("--dns values checked as IP addresses", 0, 12, 0),
    JSON_1X("the 1.x JSON layout ({id, configuration, status{state}})", 1, 0, 0),
    COPY("`container copy` (cp)", 1, 0, 0),
    MULTIPLE_NETWORKS("more than one --network", 1, 0, 0);

    private final String description;
    private final AppleCliVersion since;

    AppleFeature(String description, int major, int minor, int patch) {
        this.description = description;
        this.since = new AppleCliVersion(major, minor, patch);
    }

    public AppleCliVersion since() {
        return since;
    }

    public String description() {
        return description;
    }

    public boolean supportedBy(AppleCliVersion version) {
        return version.atLeast(since);
    }

    /** Throws {@link SandboxConfigException} naming the release needed when {@code version} lacks this feature. */
    public void require(AppleCliVersion version, String why) {
        if (!supportedBy(version)) {
            throw new SandboxConfigException(why + " needs " + description + ", which container " + version
                    + " lacks: upgrade Apple's container CLI to " + since + " or later "
                    + "(https://github.com/apple/container/releases)");
        }
    }
}
