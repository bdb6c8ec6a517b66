package dev.sandbox4j.config;

import dev.sandbox4j.SandboxConfigException;
import dev.sandbox4j.internal.config.Json;
import dev.sandbox4j.internal.config.Suggest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Typed, position-aware access to one JSON object of a configuration file. */
final class Section {
    private final Path file;
    private final Json.Obj obj;
    private final String path;

    Section(Path file, Json.Obj obj, String path) {
        this.file = file;
        this.obj = obj;
        this.path = path;
    }

    static Section root(Path file, Json.Node node, String fileKind) {
        if (!(node instanceof Json.Obj o)) {
            throw new SandboxConfigFileException(file, node.loc().line(), node.loc().column(),
                    "a " + fileKind + " file holds one JSON object ({ ... }), not " + article(node.kind()));
        }
        return new Section(file, o, "");
    }

    Path file() {
        return file;
    }

    Json.Obj node() {
        return obj;
    }

    /** The dotted name of a key in this section, e.g. {@code build.context}. */
    String name(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return obj.members().containsKey(key);
    }

    Optional<Json.Member> member(String key) {
        return Optional.ofNullable(obj.members().get(key));
    }

    Optional<Json.Node> get(String key) {
        Json.Member m = obj.members().get(key);
        if (m == null) {
            return Optional.empty();
        }
        if (m.value() instanceof Json.Null) {
            throw error(m.value(), "\"" + name(key) + "\" is null: remove the key to get the default, or give a value");
        }
        return Optional.of(m.value());
    }

    Optional<String> string(String key, String example) {
        return get(key).map(n -> text(n, name(key), example));
    }

    Optional<BigDecimal> number(String key, String example) {
        return get(key).map(n -> {
            if (n instanceof Json.Num num) {
                return num.value();
            }
            throw typeError(n, name(key), "a number", example);
        });
    }

    Optional<Boolean> bool(String key) {
        return get(key).map(n -> {
            if (n instanceof Json.Bool b) {
                return b.value();
            }
            throw typeError(n, name(key), "true or false", "true");
        });
    }

    Optional<Section> object(String key, String example) {
        return get(key).map(n -> {
            if (n instanceof Json.Obj o) {
                return new Section(file, o, name(key));
            }
            throw typeError(n, name(key), "an object", example);
        });
    }

    Optional<Json.Arr> array(String key, String example) {
        return get(key).map(n -> {
            if (n instanceof Json.Arr a) {
                return a;
            }
            throw typeError(n, name(key), "an array", example);
        });
    }

    /** An object of string values, such as {@code env} or {@code labels}; numbers and booleans are not coerced. */
    Map<String, String> stringMap(String key, String example) {
        Map<String, String> out = new LinkedHashMap<>();
        object(key, example).ifPresent(s -> s.obj.members().values().forEach(m ->
                out.put(m.key(), s.text(m.value(), s.name(m.key()), example))));
        return out;
    }

    /** A list of strings, e.g. {@code command}. */
    List<String> stringList(String key, String example) {
        List<String> out = new ArrayList<>();
        array(key, example).ifPresent(a -> {
            for (Json.Node n : a.items()) {
                out.add(text(n, name(key) + "[]", example));
            }
        });
        return out;
    }

    String text(Json.Node n, String what, String example) {
        if (n instanceof Json.Str s) {
            return s.value();
        }
        throw typeError(n, what, "a string", example);
    }

    /** The keys of this section that are not in {@code known}, in document order. */
    List<Json.Member> unknown(Collection<String> known) {
        List<Json.Member> out = new ArrayList<>();
        for (Json.Member m : obj.members().values()) {
            if (!known.contains(m.key())) {
                out.add(m);
            }
        }
        return out;
    }

    /** Fails on the first key that is not in {@code known}, suggesting the closest known key. */
    void rejectUnknown(Collection<String> known, String fileKind) {
        for (Json.Member m : unknown(known)) {
            String where = path.isEmpty() ? "a " + fileKind + " key" : "a key of \"" + path + "\"";
            String hint = Suggest.closest(m.key(), known).map(s -> ": did you mean \"" + s + "\"?")
                    .orElse(": remove it");
            throw new SandboxConfigFileException(file, m.keyLoc().line(), m.keyLoc().column(),
                    "\"" + name(m.key()) + "\" is not " + where + hint + " (known keys: "
                            + String.join(", ", known) + ")");
        }
    }

    SandboxConfigFileException error(Json.Node at, String problem) {
        return new SandboxConfigFileException(file, at.loc().line(), at.loc().column(), problem);
    }

    SandboxConfigFileException error(Json.Loc at, String problem) {
        return new SandboxConfigFileException(file, at.line(), at.column(), problem);
    }

    SandboxConfigFileException typeError(Json.Node n, String what, String expected, String example) {
        return error(n, "\"" + what + "\" must be " + expected + ", not " + article(n.kind())
                + ": write it like " + example);
    }

    /** Runs a check and reports its {@link SandboxConfigException} or {@link IllegalArgumentException} at a node. */
    <T> T at(Json.Node n, String what, Supplier<T> check) {
        return at(n.loc(), what, check);
    }

    <T> T at(Json.Loc loc, String what, Supplier<T> check) {
        try {
            return check.get();
        } catch (SandboxConfigFileException e) {
            throw e;
        } catch (SandboxConfigException | IllegalArgumentException e) {
            throw new SandboxConfigFileException(file, loc.line(), loc.column(),
                    "\"" + what + "\": " + e.getMessage(), e);
        }
    }

    void at(Json.Loc loc, String what, Runnable check) {
        at(loc, what, () -> {
            check.run();
            return null;
        });
    }

    private static String article(String kind) {
        return switch (kind) {
            case "object", "array" -> "an " + kind;
            case "null" -> "null";
            default -> "a " + kind;
        };
    }
}
