package dev.sandbox4j.internal.apple;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.spi.Command;
import dev.sandbox4j.spi.CommandResult;
import dev.sandbox4j.spi.CommandRunner;
import dev.sandbox4j.spi.HostEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code scripts/verify-on-mac.sh} checks exactly the claims that docs/runtimes/apple-container.md lists under
 * "Needs a Mac", is valid bash, and does nothing where it cannot run.
 */
class AppleVerifyOnMacKitTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("scripts/verify-on-mac.sh");
    private static final Path DOC = ROOT.resolve("docs/runtimes/apple-container.md");
    private static final Duration T = Duration.ofSeconds(60);

    private static Set<String> ids(Pattern p, String text) {
        Set<String> ids = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void everyNeedsAMacClaimInTheDocsHasACheckInTheScriptAndNoOtherCheckExists() throws IOException {
        // given
        String doc = Files.readString(DOC);
        String section = doc.substring(doc.indexOf("### Needs a Mac"), doc.indexOf("### Verifying on a Mac"));
        String script = Files.readString(SCRIPT);

        // when
        Set<String> claimed = ids(Pattern.compile("(?m)^\\| (M\\d+) \\|"), section);
        Set<String> checked = ids(Pattern.compile("result \"?(M\\d+)\"? "), script);
        checked.addAll(ids(Pattern.compile("for id in ((?:M\\d+ ?)+);"), script).stream()
                .flatMap(s -> List.of(s.split(" ")).stream()).toList());

        // then
        assertThat(claimed).hasSizeGreaterThanOrEqualTo(10);
        assertThat(checked).isEqualTo(claimed);
    }

    @Test
    @DisabledOnOs(value = OS.MAC, disabledReason = "on a Mac the script really runs")
    void scriptIsValidBashAndRefusesToRunOffAMac() {
        // when
        CommandResult syntax = CommandRunner.system().run(Command.of(List.of("bash", "-n", SCRIPT.toString()), T));
        CommandResult run = CommandRunner.system().run(Command.of(List.of("bash", SCRIPT.toString()), T));

        // then
        assertThat(syntax.exitCode()).as(syntax.stderr()).isZero();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("checks Apple's container on a Mac").contains("Nothing was run");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void scriptIsShellcheckClean() {
        // given
        Assumptions.assumeTrue(HostEnvironment.current().findExecutable("shellcheck").isPresent(),
                "shellcheck is not installed");

        // when
        CommandResult r = CommandRunner.system().run(Command.of(List.of("shellcheck", SCRIPT.toString()), T));

        // then
        assertThat(r.exitCode()).as(r.stdout()).isZero();
    }
}
