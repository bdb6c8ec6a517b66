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
 * The module boundary, checked on the compiled main classes of every module of the build: a module may use its
 * own {@code *.internal.*} packages, and never another module's. It reads each class file's constant pool (every
 * class, field and method type a class refers to is named there, and so is a class name in a string constant
 * used for reflection), so no import, fully qualified name or {@code Class.forName} gets past it.
 *
 * <p>Every module directory with a {@code pom.xml} and main sources must have been compiled: the test fails,
 * naming the module, rather than skipping one (run it with {@code -am} from the modules it checks, or after a
 * full {@code mvn compile}).
 */
class ModuleBoundaryTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A reference into an internal package, slashed (class file names) or dotted (reflection strings). */
    private static final Pattern INTERNAL = Pattern.compile(
            "dev[/.]sandbox4j[/.](?:[a-z0-9]+[/.])*?internal(?:[/.][a-z0-9]+)*[/.][A-Z][A-Za-z0-9_$]*");

    record Module(String name, Path classes) {
    }

    @Test
    void noModuleReachesIntoAnotherModulesInternalPackages() throws IOException {
        // given
        List<Module> modules = modules();
        List<String> violations = new ArrayList<>();

        // when
        for (Module m : modules) {
            Set<String> own = internalPackages(m.classes());
            for (Path cls : classFiles(m.classes())) {
                for (String ref : internalReferences(cls)) {
                    String pkg = ref.substring(0, ref.lastIndexOf('/'));
                    if (!own.contains(pkg)) {
                        violations.add(m.name() + ": " + m.classes().relativize(cls) + " -> " + ref.replace('/', '.'));
                    }
                }
            }
        }

        // then
        assertThat(modules).extracting(Module::name).contains("sandbox-core", "sandbox-egress", "sandbox-cli",
                "sandbox-examples");
        assertThat(violations).as("use the public API (dev.sandbox4j, .egress, .config) or the SPI "
                + "(dev.sandbox4j.spi) instead of another module's internals").isEmpty();
    }

    @Test
    void theCheckSeesAReferenceIntoCoresInternals() throws IOException {
        // given: a core class that uses core's internals, judged as if another module owned it
        Path sandboxSpec = ROOT.resolve("sandbox-core/target/classes/dev/sandbox4j/SandboxRuntime.class");

        // when
        Set<String> refs = internalReferences(sandboxSpec);

        // then
        assertThat(refs).contains("dev/sandbox4j/internal/Runtimes");
    }

    /** Every module of the build that has main sources, with its compiled classes. */
    static List<Module> modules() throws IOException {
        List<Module> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.sorted().toList()) {
                if (!Files.isRegularFile(dir.resolve("pom.xml")) || !Files.isDirectory(dir.resolve("src/main/java"))) {
                    continue;
                }
                Path classes = dir.resolve("target/classes");
                assertThat(classes).as("module %s is not compiled: run mvn compile on it (or -am) first",
                        dir.getFileName()).isDirectory();
                out.add(new Module(dir.getFileName().toString(), classes));
            }
        }
        return out;
    }

    private static List<Path> classFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
    }

    /** The internal packages (slashed) a module's own classes live in. */
    private static Set<String> internalPackages(Path classes) throws IOException {
        Set<String> out = new TreeSet<>();
        for (Path cls : classFiles(classes)) {
            String rel = classes.relativize(cls.getParent()).toString().replace('\\', '/');
            if (rel.contains("internal")) {
                out.add(rel);
            }
        }
        return out;
    }

    /** The internal classes a class file names in its constant pool, slashed. */
    static Set<String> internalReferences(Path classFile) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String text : utf8Constants(classFile)) {
            Matcher m = INTERNAL.matcher(text);
            while (m.find()) {
                out.add(m.group().replace('.', '/'));
            }
        }
        return out;
    }

    /** The CONSTANT_Utf8 entries of a class file (JVMS 4.4). */
    private static List<String> utf8Constants(Path classFile) throws IOException {
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
