package dev.sandbox4j.internal.apple;

import dev.sandbox4j.SandboxConfigException;

/**
 * What Sandbox4j uses of the {@code container} CLI that did not exist in every release, with the release that
 * introduced it (from scanning apple/container's tags; see docs/runtimes/apple-container.md).
 *
 * <p>Everything else the backend sends exists at the oldest release it accepts, 0.2.0
 * ({@link AppleContainerProvider#MINIMUM}), checked at that tag: {@code run/exec} flags {@code --detach --name
 * --label --cpus --memory --env --workdir (alias of --cwd) --user --volume --entrypoint --dns --interactive} in
 * Sources/ContainerClient/Flags.swift; {@code stop --time}, {@code kill --signal}, {@code delete --force},
 * {@code list --all --format} in Sources/CLI/Container/; {@code build --file --tag --label --build-arg} in
 * Sources/CLI/BuildCommand.swift; {@code system start --enable-kernel-install} (the {@code kernelInstall} flag
 * with {@code .prefixedEnableDisable}) in Sources/CLI/System/SystemStart.swift; {@code network
 * create/inspect/delete/list --format} in Sources/CLI/Network/.
 */
public enum AppleFeature {
    // Each release below was checked against apple/container's tags (git show <tag>:<path>); AppleFeatureTest
    // holds the same citations and fails for a feature without one.
    /** 0.2.0: {@code var networks} ("--network") in Sources/ContainerClient/Flags.swift; Sources/CLI/Network/ added. */
    NETWORKS("container networks (--network, `container network ...`)", 0, 2, 0),
    /** 0.5.0: {@code var labels} in Sources/ContainerCommands/Network/NetworkCreate.swift (absent at 0.4.1). */
    NETWORK_LABELS("labels on networks (`container network create --label`)", 0, 5, 0),
    /** 0.3.0: {@code publishPorts} in Sources/ContainerClient/Flags.swift (#352). */
    PUBLISH("published ports (--publish)", 0, 3, 0),
    /** 0.4.0: {@code var platform: String} in Sources/ContainerClient/Flags.swift. */
    PLATFORM("--platform", 0, 4, 0),
    /** 0.5.0: {@code commandName: "image"} in Sources/ContainerCommands/Image/ImageCommand.swift. */
    IMAGE_COMMAND_GROUP("the `container image` command group (0.1-0.4 called it `container images`)", 0, 5, 0),
    /** 0.6.0: {@code noNetworkName = "none"} in Sources/ContainerClient/Core/ClientNetwork.swift (#739). */
    NETWORK_NONE("--network none", 0, 6, 0),
    /** 0.7.0: {@code ProgressType} (none|ansi) replaces --disable-progress-updates in Flags.swift. */
    PROGRESS("--progress", 0, 7, 0),
    /** 0.7.0: port ranges in the publish parser (#801). */
    PORT_RANGES("port ranges in --publish", 0, 7, 0),
    /** 0.8.0: {@code var readOnly} in Sources/Services/ContainerAPIService/Client/Flags.swift. */
    READ_ONLY("--read-only", 0, 8, 0),
    /** 0.8.0: "Adds IPv6 port forwarding. (#1029)", between tags 0.7.1 and 0.8.0. */
    IPV6_PUBLISH("IPv6 host addresses in --publish", 0, 8, 0),
    /**
     * 0.9.0: the CLI always let a file through {@code -v}, but the runtime can only share directories until
     * containerization 0.23.1 (Sources/Containerization/FileMount.swift, #487); container 0.8.0 pins 0.21.1,
     * 0.9.0 pins 0.24.5 ({@code scVersion} in Package.swift).
     */
    SINGLE_FILE_MOUNTS("mounting a single file (-v /host/file:/path)", 0, 9, 0),
    /** 0.9.0: {@code var ulimits} in Flags.swift. */
    ULIMIT("--ulimit", 0, 9, 0),
    /** 0.10.0: {@code var initImage} in Flags.swift. */
    INIT_IMAGE("--init-image", 0, 10, 0),
    /** 0.10.0: {@code var useInit} ("--init") in Flags.swift. */
    INIT("--init", 0, 10, 0),
    /** 0.10.0: {@code var format} in Sources/ContainerCommands/System/SystemStatus.swift. */
    STATUS_JSON("`container system status --format json`", 0, 10, 0),
    /** 0.10.0: Sources/ContainerCommands/System/SystemVersion.swift first exists. */
    SYSTEM_VERSION("`container system version`", 0, 10, 0),
    /** 0.12.0: {@code var capDrop} in Flags.swift. */
    CAP_DROP("--cap-add/--cap-drop", 0, 12, 0),
    /** 0.12.0: pins containerization 0.31.0, whose DNS.validate() came in 0.30.0 (#534); 0.11.0 pins 0.29.0. */
    DNS_VALIDATED("--dns values checked as IP addresses", 0, 12, 0),
    /** 1.0.0: {@code struct ManagedContainer} (Sources/ContainerResource/Container/ManagedContainer.swift). */
    JSON_1X("the 1.x JSON layout ({id, configuration, status{state}})", 1, 0, 0),
    /** 1.0.0: Sources/ContainerCommands/Container/ContainerCopy.swift first exists. */
    COPY("`container copy` (cp)", 1, 0, 0),
    /**
     * 1.0.0: pins containerization 0.33.3, which adds the default route to the first interface only (0.32.0,
     * #697); 0.12.3 pins 0.31.0, where a second --network breaks the VM boot.
     */
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
