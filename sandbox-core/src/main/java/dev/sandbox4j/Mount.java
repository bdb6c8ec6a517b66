package dev.sandbox4j;

import java.nio.file.Path;

/**
 * A host directory or file made visible inside the sandbox at {@code target}. The source is made absolute when
 * the mount is created; whether it exists is checked when the sandbox starts.
 *
 * @param source   the host path; made absolute and normalised
 * @param target   the absolute path inside the sandbox, trailing slashes removed
 * @param readOnly whether the sandbox may only read it
 */
public record Mount(Path source, String target, boolean readOnly) {
    /**
     * Checks both paths and normalises them.
     *
     * @param source   the host path; made absolute and normalised
     * @param target   the absolute path inside the sandbox, trailing slashes removed
     * @param readOnly whether the sandbox may only read it
     * @throws SandboxConfigException if the source is null or contains {@code :} or {@code ,}, or the target is not
     *         absolute, contains {@code :}, {@code ,}, NUL or a {@code ..} segment
     */
    public Mount {
        if (source == null) {
            throw new SandboxConfigException("mount source must not be null");
        }
        source = source.toAbsolutePath().normalize();
        if (target == null || !target.startsWith("/")) {
            throw new SandboxConfigException("mount target \"" + target + "\" for " + source
                    + " is not an absolute path inside the sandbox: write it like /work");
        }
        if (target.indexOf('\0') >= 0 || target.indexOf(':') >= 0 || target.indexOf(',') >= 0) {
            throw new SandboxConfigException("mount target \"" + target.replace("\0", "\\0")
                    + "\" contains ':', ',' or NUL, which runtimes cannot express: choose another path");
        }
        for (String part : target.split("/")) {
            if (part.equals("..")) {
                throw new SandboxConfigException("mount target \"" + target + "\" contains '..': give the path it means");
            }
        }
        if (source.toString().indexOf(':') >= 0 || source.toString().indexOf(',') >= 0) {
            throw new SandboxConfigException("mount source " + source
                    + " contains ':' or ',', which runtimes cannot express: move or link it elsewhere");
        }
        while (target.length() > 1 && target.endsWith("/")) {
            target = target.substring(0, target.length() - 1);
        }
    }

    @Override
    public String toString() {
        return source + ":" + target + (readOnly ? ":ro" : "");
    }
}
