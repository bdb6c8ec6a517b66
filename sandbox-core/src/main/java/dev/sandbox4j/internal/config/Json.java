package dev.sandbox4j.internal.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.sandbox4j.config.SandboxConfigFileException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON tree in which every value and every key remembers its line and column, read with Jackson's streaming
 * parser so that errors can point at the exact place in the file. Duplicate keys are errors.
 */
public final class Json {
    private static final JsonFactory STRICT = JsonFactory.builder().build();
    private static final JsonFactory JSONC = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private Json() {
    }

    /** A 1-based position in a file. */
    public record Loc(int line, int column) {
        static Loc of(JsonLocation l) {
            return new Loc(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
        }
    }

    /** A value with its position. */
    public sealed interface Node permits Obj, Arr, Str, Num, Bool, Null {
        Loc loc();

        /** "object", "array", "string", "number", "boolean" or "null", for messages. */
        String kind();
    }

    /** One key of an object, with the key's own position. */
    public record Member(String key, Loc keyLoc, Node value) {
    }

    public record Obj(Loc loc, Map<String, Member> members) implements Node {
        public Obj {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        @Override
        public String kind() {
            return "object";
        }
    }

    public record Arr(Loc loc, List<Node> items) implements Node {
        public Arr {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "array";
        }
    }

    public record Str(Loc loc, String value) implements Node {
        @Override
        public String kind() {
            return "string";
        }
    }

    public record Num(Loc loc, BigDecimal value) implements Node {
        @Override
        public String kind() {
            return "number";
        }
    }

    public record Bool(Loc loc, boolean value) implements Node {
        @Override
        public String kind() {
            return "boolean";
        }
    }

    public record Null(Loc loc) implements Node {
        @Override
        public String kind() {
            return "null";
        }
    }

    /**
     * Parses a whole document. {@code jsonc} allows {@code //} and block comments and trailing commas, as
     * devcontainer.json does.
     */
    public static Node parse(Path file, String text, boolean jsonc) {
        try (JsonParser p = (jsonc ? JSONC : STRICT).createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new SandboxConfigFileException(file, 1, 1, "the file is empty: it must hold one JSON object");
            }
            Node root = read(file, p);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                Loc at = Loc.of(p.currentTokenLocation());
                throw new SandboxConfigFileException(file, at.line(), at.column(),
                        "unexpected content after the top-level value: the file must hold exactly one JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            Loc at = l == null ? new Loc(1, 1) : Loc.of(l);
            throw new SandboxConfigFileException(file, at.line(), at.column(),
                    "not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse("")
                            + (jsonc ? "" : " (sandbox.json is strict JSON: no comments, no trailing commas)"), e);
        } catch (IOException e) {
            throw new SandboxConfigFileException(file, 1, 1, "cannot read: " + e, e);
        }
    }

    private static Node read(Path file, JsonParser p) throws IOException {
        Loc loc = Loc.of(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Member> members = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Loc keyLoc = Loc.of(p.currentTokenLocation());
                    p.nextToken();
                    Node value = read(file, p);
                    if (members.containsKey(key)) {
                        throw new SandboxConfigFileException(file, keyLoc.line(), keyLoc.column(),
                                "key \"" + key + "\" appears twice in this object (first at line "
                                        + members.get(key).keyLoc().line() + "): keep one");
                    }
                    members.put(key, new Member(key, keyLoc, value));
                }
                return new Obj(loc, members);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(file, p));
                }
                return new Arr(loc, items);
            }
            case VALUE_STRING:
                return new Str(loc, p.getText());
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Num(loc, p.getDecimalValue());
            case VALUE_TRUE:
                return new Bool(loc, true);
            case VALUE_FALSE:
                return new Bool(loc, false);
            case VALUE_NULL:
                return new Null(loc);
            default:
                throw new SandboxConfigFileException(file, loc.line(), loc.column(), "unexpected JSON token " + t);
        }
    }
}
