package dev.sandbox4j.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.HostEnvironment;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RuntimeCheckTest {
    /** A Linux host whose PATH holds no runtime binaries at all. */
    private static final HostEnvironment BARE_HOST = HostEnvironment.of(HostEnvironment.Os.LINUX, "x86_64", "6.1", 2,
            1L << 33, OptionalInt.empty(), Map.of("PATH", "/nonexistent-sandbox4j-path"));

    @Test
    void hostWithoutAnyRuntimeBinaryGivesEveryProvidersReason() {
        // given
        var providers = RuntimeCheck.providers();

        // when
        Optional<String> missing = RuntimeCheck.missing(providers, BARE_HOST, Optional.empty());

        // then
        assertThat(missing).hasValueSatisfying(m -> assertThat(m).startsWith("no container runtime is usable: ")
                .contains("podman: podman not found on PATH").contains("absent-runtime: sandbox4j-absent-runtime"));
    }

    @Test
    void namedRuntimeOnlyConsultsThatProvider() {
        // given
        var providers = RuntimeCheck.providers();

        // when
        Optional<String> missing = RuntimeCheck.missing(providers, BARE_HOST, Optional.of("podman"));

        // then
        assertThat(missing).hasValueSatisfying(m -> assertThat(m).startsWith("runtime podman is not usable: podman:")
                .doesNotContain("absent-runtime"));
    }

    @Test
    void unknownRuntimeNameSaysNoProviderHasIt() {
        // given
        var providers = RuntimeCheck.providers();

        // when
        Optional<String> missing = RuntimeCheck.missing(providers, BARE_HOST, Optional.of("dockr"));

        // then
        assertThat(missing).contains("no runtime provider named \"dockr\" is on the class path");
    }

    @Test
    void requirementNamesARuntimeAListOrAny() {
        // given
        Optional<String> podman = Optional.of("podman");

        // when / then
        assertThat(RuntimeCheck.required(Optional.empty(), podman)).isFalse();
        assertThat(RuntimeCheck.required(Optional.of(""), podman)).isFalse();
        assertThat(RuntimeCheck.required(Optional.of("false"), Optional.empty())).isFalse();
        assertThat(RuntimeCheck.required(Optional.of("podman"), podman)).isTrue();
        assertThat(RuntimeCheck.required(Optional.of("apple-container, podman"), podman)).isTrue();
        assertThat(RuntimeCheck.required(Optional.of("apple-container"), podman)).isFalse();
        assertThat(RuntimeCheck.required(Optional.of("any"), podman)).isTrue();
        assertThat(RuntimeCheck.required(Optional.of("podman"), Optional.empty())).isTrue();
    }
}
