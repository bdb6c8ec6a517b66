package dev.sandbox4j.config;

import dev.sandbox4j.SandboxSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a configuration file defines: a sandbox spec (checked when the file was read), its egress section, and
 * what the reader could not honour. Immutable; {@link #toBuilder()} gives a fresh builder each time, so code can
 * add to a file's settings:
 *
 * <pre>{@code
 * SandboxDefinition def = SandboxConfigFile.load(Path.of("sandbox.json"));
 * def.warnings().forEach(log::warn);
 * try (Sandbox sandbox = def.toBuilder().env("CI", "true").start()) { ... }
 * }</pre>
 */
public final class SandboxDefinition {
    private final Path source;
    private final SandboxSpec template;
    private final EgressConfig egress;
    private final List<String> warnings;
    private final List<String> ignored;

    SandboxDefinition(Path source, SandboxSpec template, EgressConfig egress, List<String> warnings,
                      List<String> ignored) {
        this.source = source;
        this.template = template;
        this.egress = egress;
        this.warnings = List.copyOf(warnings);
        this.ignored = List.copyOf(ignored);
    }

    /** {@return the file this was read from, absolute} */
    public Path source() {
        return source;
    }

    /**
     * A new builder holding every setting of the file, egress included: the section's rules, already checked in
     * the one grammar of {@link dev.sandbox4j.egress.EgressRule} when the file was read, become the
     * {@link dev.sandbox4j.egress.EgressPolicy}.
     *
     * @return a builder that {@code build()}s the file's spec
     */
    public SandboxSpec.Builder toBuilder() {
        SandboxSpec.Builder b = template.toBuilder();
        if (egress != null) {
            b.egress(EgressBridge.toPolicy(egress, source));
        }
        return b;
    }

    /** Every setting but the egress section (which {@link #toBuilder()} applies); for this package's tests. */
    SandboxSpec template() {
        return template;
    }

    /** {@return the spec the file describes; same as {@code toBuilder().build()}} */
    public SandboxSpec spec() {
        return toBuilder().build();
    }

    /**
     * {@return the egress section; empty when the file has none (the sandbox then gets {@code EgressPolicy.DEFAULT})}
     */
    public Optional<EgressConfig> egress() {
        return Optional.ofNullable(egress);
    }

    /**
     * {@return settings that were applied differently from what the file literally says, one sentence each;
     * unmodifiable}
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * {@return settings the reader cannot honour and left out, with the reason (devcontainer.json only; else empty)}
     */
    public List<String> ignored() {
        return ignored;
    }

    @Override
    public String toString() {
        return "SandboxDefinition[" + source + ", " + warnings.size() + " warnings, " + ignored.size() + " ignored]";
    }
}
