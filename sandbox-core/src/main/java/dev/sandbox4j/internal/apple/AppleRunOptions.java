package dev.sandbox4j.internal.apple;

import dev.sandbox4j.SandboxConfigException;

/**
 * Settings of the Apple backend that apply to every container it starts, beyond what a
 * {@link dev.sandbox4j.SandboxSpec} says.
 *
 * @param readOnlyRootfs run containers with a read-only root filesystem ({@code --read-only}, container 0.8.0+)
 * @param initImage      a custom VM init image ({@code --init-image}, container 0.10.0+); empty for the default.
 *                       This is the hook for enforcement inside the VM (e.g. packet filtering installed before the
 *                       workload starts)
 */
public record AppleRunOptions(boolean readOnlyRootfs, String initImage) {
    /** Writable root filesystem, default init image. */
    public static final AppleRunOptions DEFAULTS = new AppleRunOptions(false, "");

    public AppleRunOptions {
        if (initImage == null) {
            throw new SandboxConfigException("init image must not be null: use \"\" for the default");
        }
        if (initImage.indexOf('\0') >= 0 || initImage.strip().length() != initImage.length()) {
            throw new SandboxConfigException("init image \"" + initImage + "\" has surrounding blanks or NUL");
        }
    }
}
