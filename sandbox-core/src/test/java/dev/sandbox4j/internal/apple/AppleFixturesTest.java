package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every fixture says where its bytes came from: captured on a Mac (and by whom), or constructed from source. */
class AppleFixturesTest {

    static Stream<Fixture> fixtures() {
        List<Fixture> all = new ArrayList<>();
        for (String folder : List.of("captured", "constructed", "errors", "recorded")) {
            all.addAll(Fixture.all(folder));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fixtureStatesItsProvenance(Fixture f) {
        String kind = f.meta("kind");
        assertThat(kind).isIn("captured", "captured-edited", "recorded", "constructed", "unverified");
        assertThat(f.meta("command")).isNotBlank();
        assertThat(f.meta("cli-version")).isNotBlank();
        if (kind.startsWith("captured") || kind.equals("recorded")) {
            assertThat(f.provenance()).containsKeys("macos", "date", "source");
        } else if (kind.equals("constructed")) {
            assertThat(f.meta("from")).as("constructed fixtures name the source file and commit")
                    .containsPattern("\\.swift|source file not named")
                    .containsPattern("[0-9a-f]{7,40}|tag \\d");
        } else {
            assertThat(f.meta("source")).isNotBlank();
        }
        assertThat(f.payload()).isNotBlank();
    }
}
