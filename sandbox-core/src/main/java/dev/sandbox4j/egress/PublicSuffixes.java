package dev.sandbox4j.egress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Public Suffix List (publicsuffix.org), both its ICANN and its private section: the suffixes under which
 * unrelated parties register names ({@code com}, {@code co.uk}, {@code github.io}, {@code hf.space},
 * {@code ts.net}, ...), so that a wildcard on one of them would allow strangers' hosts.
 *
 * <p>The list is the unmodified {@code public_suffix_list.dat} bundled as the resource
 * {@code dev/sandbox4j/egress/public_suffix_list.dat} (Mozilla Public License 2.0, as its header says);
 * {@code scripts/update-public-suffixes.sh} replaces it with a newer copy. It is read once, on first use. Rules
 * follow the list's own algorithm: a plain rule names a suffix, {@code *.ck} makes every label under {@code ck} a
 * suffix, {@code !www.ck} is an exception to such a wildcard, and every single label is a suffix (the implicit
 * {@code *} rule), so an unlisted top-level domain is covered too.
 */
final class PublicSuffixes {
    static final String RESOURCE = "public_suffix_list.dat";

    private PublicSuffixes() {
    }

    /** Whether a wildcard on this base (lowercase A-labels, leftmost first) would cover unrelated owners' names. */
    static boolean isPublicSuffix(List<String> labels) {
        if (labels.size() <= 1) {
            return true;
        }
        String name = String.join(".", labels);
        Rules rules = Rules.INSTANCE;
        if (rules.exceptions.contains(name)) {
            return false;
        }
        return rules.exact.contains(name)
                || rules.wildcards.contains(String.join(".", labels.subList(1, labels.size())));
    }

    /**
     * A public suffix strictly below this base, if the list has one: {@code s3.amazonaws.com} below
     * {@code amazonaws.com}. An any-depth wildcard on such a base reaches names that strangers own under it.
     */
    static Optional<String> suffixBelow(List<String> labels) {
        return Optional.ofNullable(Rules.INSTANCE.suffixBelow.get(String.join(".", labels)));
    }

    /** The version line of the bundled list, such as {@code 2026-10-06_16-13-12_UTC}. */
    static Optional<String> version() {
        return Optional.ofNullable(Rules.INSTANCE.version);
    }

    /** How many rules the bundled list holds (plain, wildcard and exception rules). */
    static int ruleCount() {
        Rules r = Rules.INSTANCE;
        return r.exact.size() + r.wildcards.size() + r.exceptions.size();
    }

    /** The parsed list; a holder so the file is read only when a wildcard pattern is first built. */
    private static final class Rules {
        static final Rules INSTANCE = load();

        final Set<String> exact = new HashSet<>();
        final Set<String> wildcards = new HashSet<>();
        final Set<String> exceptions = new HashSet<>();
        /** Every proper ancestor (two labels or more) of a suffix, mapped to the first such suffix in the list. */
        final Map<String, String> suffixBelow = new HashMap<>();
        String version;

        private static Rules load() {
            InputStream in = PublicSuffixes.class.getResourceAsStream(RESOURCE);
            if (in == null) {
                throw new IllegalStateException("the public suffix list resource dev/sandbox4j/egress/" + RESOURCE
                        + " is missing from the class path: the sandbox-core jar is incomplete");
            }
            Rules rules = new Rules();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    rules.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the bundled public suffix list", e);
            }
            return rules;
        }

        private void add(String raw) {
            String line = raw.strip();
            if (line.startsWith("// VERSION:")) {
                version = line.substring("// VERSION:".length()).strip();
                return;
            }
            if (line.isEmpty() || line.startsWith("//")) {
                return;
            }
            int space = line.indexOf(' ');
            String rule = space < 0 ? line : line.substring(0, space);
            if (rule.startsWith("!")) {
                exceptions.add(ascii(rule.substring(1)));
            } else if (rule.startsWith("*.")) {
                String base = ascii(rule.substring(2));
                wildcards.add(base);
                // the suffixes are the names one label below base: base itself and its ancestors lie above them
                suffixBelow.putIfAbsent(base, "*." + base);
                addAncestors(base, "*." + base);
            } else {
                String name = ascii(rule);
                exact.add(name);
                addAncestors(name, name);
            }
        }

        private void addAncestors(String name, String suffix) {
            for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
                String ancestor = name.substring(dot + 1);
                if (ancestor.indexOf('.') < 0) {
                    return;  // single labels are suffixes anyway
                }
                suffixBelow.putIfAbsent(ancestor, suffix);
            }
        }

        /** The rule's name as lowercase A-labels, the form patterns are stored in. */
        private static String ascii(String name) {
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) > 0x7f) {
                    return IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
                }
            }
            return name.toLowerCase(Locale.ROOT);  // most rules: no IDN conversion needed
        }
    }
}
