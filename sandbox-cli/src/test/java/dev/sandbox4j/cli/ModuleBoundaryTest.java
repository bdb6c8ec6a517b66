package dev.sandbox4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module boundary, checked on every module of the build: a module may use its own {@code *.internal.*}
 * packages, and never another module's. Two views of each module's main code are checked:
 * <ul>
 *   <li>its compiled classes, when the module has been compiled: each class file's constant pool names every
 *       class, field and method type the class refers to, and every string constant a {@code Class.forName} would
 *       use, so no import, fully qualified name or reflective lookup gets past it;</li>
 *   <li>its sources, always (so a module that the build compiles after this one is still checked): every
 *       reference to an internal package in the text, imports, qualified names, strings and comments alike.</li>
 * </ul>
 */
class ModuleBoundaryTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A reference into an internal package, slashed (class file names) or dotted (reflection strings). */
    private static final Pattern INTERNAL = Pattern.compile(
            "dev[/.]sandbox4j[/.](?:[a-z0-9]+[/.])*?internal(?:[/.][a-z0-9]+)*[/.][A-Z][A-Za-z0-9_$]*");

    record Module(String name, Path sources, Path classes) {
    }

    @Test
    void noModuleReachesIntoAnotherModulesInternalPackages() throws IOException {
        // given
        List<Module> modules = modules();
        List<String> violations = new ArrayList<>();

        // when
        for (Module m : modules) {
            Set<String> own = internalPackages(m.sources(), ".java");
            if (Files.isDirectory(m.classes())) {
                own.addAll(internalPackages(m.classes(), ".class"));
                for (Path cls : files(m.classes(), ".class")) {
                    for (String ref : internalReferences(utf8Constants(cls))) {
                        if (!own.contains(ref.substring(0, ref.lastIndexOf('/')))) {
                            violations.add(m.name() + ": " + m.classes().relativize(cls) + " -> " + ref.replace('/', '.'));
                        }
                    }
                }
            }
            for (Path src : files(m.sources(), ".java")) {
                for (String ref : internalReferences(List.of(Files.readString(src)))) {
                    if (!own.contains(ref.substring(0, ref.lastIndexOf('/')))) {
                        violations.add(m.name() + ": " + m.sources().relativize(src) + " -> " + ref.replace('/', '.'));
                    }
                }
            }
        }

        // then
        assertThat(modules).extracting(Module::name).contains("sandbox-core", "sandbox-egress", "sandbox-cli",
                "sandbox-examples", "sandbox-bench", "sandbox-junit", "sandbox-testing");
        assertThat(violations).as("use the public API (dev.sandbox4j, .egress, .config) or the SPI "
                + "(dev.sandbox4j.spi) instead of another module's internals").isEmpty();
    }

    @Test
    void theSourceCheckSeesAnImportAndAQualifiedNameButNotAPublicPackage() {
        // given
        String source = """
                import dev.sandbox4j.internal.Runtimes;
                import dev.sandbox4j.egress.EgressPolicy;
                class X { Object o = dev.sandbox4j.internal.podman.PodmanArgs.class; }
                """;

        // when
        Set<String> refs = internalReferences(List.of(source));

        // then
        assertThat(refs).containsExactly("dev/sandbox4j/internal/Runtimes", "dev/sandbox4j/internal/podman/PodmanArgs");
    }

    @Test
    void theCheckSeesAReferenceIntoCoresInternals() throws IOException {
        // given: a core class that uses core's internals, judged as if another module owned it
        Path sandboxSpec = ROOT.resolve("sandbox-core/target/classes/dev/sandbox4j/SandboxRuntime.class");

        // when
        Set<String> refs = internalReferences(utf8Constants(sandboxSpec));

        // then
        assertThat(refs).contains("dev/sandbox4j/internal/Runtimes");
    }

    /** Every module of the build that has main sources: its sources and (compiled or not yet) its classes. */
    static List<Module> modules() throws IOException {
        List<Module> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.sorted().toList()) {
                if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("src/main/java"))) {
                    out.add(new Module(dir.getFileName().toString(), dir.resolve("src/main/java"),
                            dir.resolve("target/classes")));
                }
            }
        }
        return out;
    }

    private static List<Path> files(Path root, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** The internal packages (slashed) a module's own files live in. */
    private static Set<String> internalPackages(Path root, String suffix) throws IOException {
        Set<String> out = new TreeSet<>();
        for (Path f : files(root, suffix)) {
            String rel = root.relativize(f.getParent()).toString().replace('\\', '/');
            if (rel.contains("internal")) {
                out.add(rel);
            }
        }
        return out;
    }

    /** The internal classes named in some texts, slashed. */
    static Set<String> internalReferences(List<String> texts) {
        Set<String> out = new TreeSet<>();
        for (String text : texts) {
            Matcher m = INTERNAL.matcher(text);
            while (m.find()) {
                out.add(m.group().replace('.', '/'));
            }
        }
        return out;
    }

    /** The CONSTANT_Utf8 entries of a class file (JVMS 4.4). */
    static List<String> utf8Constants(Path classFile) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream d = new DataInputStream(in)) {
            if (d.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            d.readUnsignedShort();
            d.readUnsignedShort();
            int count = d.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> out.add(d.readUTF());
                    case 7, 8, 16, 19, 20 -> d.skipBytes(2);
                    case 15 -> d.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> d.skipBytes(4);
                    case 5, 6 -> {
                        d.skipBytes(8);
                        i++;  // longs and doubles take two entries
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
                }
            }
        }
        return out;
    }
}
