package dev.sandbox4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java samples in the README, docs/getting-started.md, docs/configuration.md, docs/agents.md and docs/junit.md
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

    @Test
    void everyJavaSampleInTheAgentGuideIsCompiledCode() throws Exception {
        String guide = Files.readString(ROOT.resolve("docs/agents.md"));
        String recipes = Files.readString(ROOT.resolve(
                "sandbox-examples/src/main/java/dev/sandbox4j/examples/agent/AgentRecipes.java"));

        List<String> samples = javaBlocks(guide);

        assertThat(samples).isNotEmpty();
        assertThat(markedRegions(recipes)).containsAll(samples);
    }

    @Test
    void theReadmeApiExampleIsCompiledCode() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String example = Files.readString(ROOT.resolve(
                "sandbox-examples/src/main/java/dev/sandbox4j/examples/ReadmeExample.java"));

        List<String> samples = javaBlocks(readme);

        assertThat(samples).hasSize(1);
        assertThat(markedRegions(example)).containsAll(samples);
    }

    @Test
    void theGettingStartedSandboxExampleIsCompiledCode() throws Exception {
        String page = Files.readString(ROOT.resolve("docs/getting-started.md"));
        String example = Files.readString(ROOT.resolve(
                "sandbox-examples/src/main/java/dev/sandbox4j/examples/ReadmeExample.java"));

        List<String> samples = javaBlocks(page).stream().filter(b -> b.startsWith("try (Sandbox")).toList();

        assertThat(samples).hasSize(1);
        assertThat(markedRegions(example)).containsAll(samples);
    }

    @Test
    void everyJavaSampleInTheJunitGuideIsCompiledCode() throws Exception {
        String guide = Files.readString(ROOT.resolve("docs/junit.md"));
        String examples = Files.readString(ROOT.resolve(
                "sandbox-junit/src/test/java/dev/sandbox4j/junit/docs/JunitGuideExamples.java"));

        List<String> samples = javaBlocks(guide);

        assertThat(samples).hasSize(3);
        assertThat(markedRegions(examples)).containsAll(samples);
    }

    @Test
    void theConfigurationAndPerformanceSamplesAreCompiledCode() throws Exception {
        String page = Files.readString(ROOT.resolve("docs/configuration.md"))
                + Files.readString(ROOT.resolve("docs/performance.md"));
        String example = Files.readString(ROOT.resolve(
                "sandbox-examples/src/main/java/dev/sandbox4j/examples/ReadmeExample.java"));

        List<String> samples = javaBlocks(page);

        assertThat(samples).hasSize(2);
        assertThat(markedRegions(example)).containsAll(samples);
    }
}
