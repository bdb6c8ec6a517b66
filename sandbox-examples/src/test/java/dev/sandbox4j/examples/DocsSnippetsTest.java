package dev.sandbox4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java samples in the README, docs/getting-started.md, docs/configuration.md, docs/agents.md, docs/testing.md and
 * docs/junit.md
 * are quoted verbatim
 * from compiled code (this module, and the JUnit guide's examples in sandbox-junit's test sources).
 */
class DocsSnippetsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** The text between {@code // docs:NAME} and {@code // docs:end} markers, de-indented. */
    private static List<String> markedRegions(String source) {
        List<String> regions = new ArrayList<>();
        Matcher m = Pattern.compile("\\n( *)// docs:[a-z]+\\n(.*?)\\n *// docs:end", Pattern.DOTALL).matcher(source);
        while (m.find()) {
            String indent = m.group(1);
            StringBuilder sb = new StringBuilder();
            for (String line : m.group(2).split("\n")) {
                sb.append(line.startsWith(indent) ? line.substring(indent.length()) : line).append('\n');
            }
            regions.add(sb.toString());
        }
        return regions;
    }

    private static final String EXAMPLES = "sandbox-examples/src/main/java/dev/sandbox4j/examples/";

    /**
     * Each page, the compiled file its samples are quoted from, and how many Java samples it shows (the
     * getting-started page's one-line builder fragment is not a sample; its {@code try} block is).
     */
    static Stream<Arguments> pages() {
        return Stream.of(
                Arguments.of("README.md", EXAMPLES + "ReadmeExample.java", 1),
                Arguments.of("docs/getting-started.md", EXAMPLES + "ReadmeExample.java", 1),
                Arguments.of("docs/configuration.md", EXAMPLES + "ReadmeExample.java", 1),
                Arguments.of("docs/performance.md", EXAMPLES + "ReadmeExample.java", 1),
                Arguments.of("docs/agents.md", EXAMPLES + "agent/AgentRecipes.java", 8),
                Arguments.of("docs/architecture.md", EXAMPLES + "RuntimeExample.java", 1),
                Arguments.of("docs/cli.md", EXAMPLES + "ManagementExample.java", 2),
                Arguments.of("docs/testing.md", EXAMPLES + "TestingExample.java", 2),
                Arguments.of("docs/junit.md",
                        "sandbox-junit/src/test/java/dev/sandbox4j/junit/docs/JunitGuideExamples.java", 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pages")
    void everyJavaSampleOnThePageIsCompiledCode(String page, String source, int count) throws Exception {
        String markdown = Files.readString(ROOT.resolve(page));
        String code = Files.readString(ROOT.resolve(source));

        List<String> samples = javaBlocks(markdown).stream()
                .filter(b -> !b.startsWith("Sandbox.builder().dockerfile")).toList();

        assertThat(samples).hasSize(count);
        assertThat(markedRegions(code)).containsAll(samples);
    }
}
