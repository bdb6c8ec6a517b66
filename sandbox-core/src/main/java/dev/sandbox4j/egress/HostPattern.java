package dev.sandbox4j.egress;

import dev.sandbox4j.SandboxConfigException;
import java.util.List;

/**
 * A host-name pattern of an egress rule: {@code example.com} matches exactly that name, {@code *.example.com}
 * exactly one more label ({@code a.example.com}, not {@code a.b.example.com}), {@code **.example.com} one or more
 * labels. No pattern matches the apex of a wildcard ({@code example.com} itself). Matching is case-insensitive,
 * label by label, on lowercase A-labels; one trailing dot is ignored.
 *
 * @param kind   exact name, one-label wildcard or any-depth wildcard
 * @param domain the exact name, or the base under the wildcard: lowercase A-labels, absolute (trailing dot)
 */
public record HostPattern(Kind kind, String domain) {

    /** How a pattern relates to its domain. */
    public enum Kind {
        /** The name itself. */
        EXACT,
        /** Exactly one label below the domain: {@code *.}. */
        ONE_LABEL,
        /** One or more labels below the domain: {@code **.}. */
        ANY_DEPTH
    }

    /**
     * Checks the domain, stores it as lowercase absolute A-labels and rejects wildcards on public suffixes.
     *
     * @param kind   exact name, one-label wildcard or any-depth wildcard
     * @param domain the name or the wildcard's base, in any case, with or without the trailing dot
     * @throws SandboxConfigException for an invalid name, or a wildcard on or above a public suffix
     */
    public HostPattern {
        if (kind == null || domain == null) {
            throw new SandboxConfigException("a host pattern needs a kind and a domain: use HostPattern.parse(...)");
        }
        List<String> labels = checkedLabels(domain, domain);
        String canonical = String.join(".", labels) + ".";
        if (kind != Kind.EXACT) {
            String base = canonical.substring(0, canonical.length() - 1);
            String shown = prefix(kind) + base;
            if (PublicSuffixes.isPublicSuffix(labels)) {
                throw new SandboxConfigException("the wildcard '" + shown + "' covers the public suffix '" + base
                        + "' (Public Suffix List), so it would allow hosts of unrelated owners: put your own domain"
                        + " under it (such as '" + prefix(kind) + "yourcompany." + base + "') or list exact hosts");
            }
            if (kind == Kind.ANY_DEPTH) {
                PublicSuffixes.suffixBelow(labels).ifPresent(suffix -> {
                    throw new SandboxConfigException("the wildcard '" + shown + "' reaches below the public suffix '"
                            + suffix + "' (Public Suffix List), so it would allow hosts of unrelated owners: use"
                            + " '*." + base + "' (one label) or list the hosts you need");
                });
            }
        }
        domain = canonical;
    }

    /**
     * Parses {@code example.com}, {@code *.example.com} or {@code **.example.com}; Unicode labels become A-labels.
     *
     * @param pattern the pattern as written in a rule
     * @return the pattern, its domain stored as lowercase absolute A-labels
     * @throws SandboxConfigException for {@code *}, {@code **}, wildcards on public suffixes of the Public Suffix
     *                                List ({@code *.com}, {@code **.co.uk}, {@code **.hf.space}), wildcards other
     *                                than a whole leftmost label, non-LDH characters, empty labels, labels over 63
     *                                bytes and names over 253 bytes
     */
    public static HostPattern parse(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new SandboxConfigException("a host pattern is empty: give a name such as 'example.com' or"
                    + " '*.example.com'");
        }
        String p = pattern.strip();
        if (p.equals("*") || p.equals("**") || p.equals("*.") || p.equals("**.")) {
            throw new SandboxConfigException("'" + p + "' would allow every host: use EgressPolicy.allowAll() if you"
                    + " really mean that, or list the hosts you need");
        }
        Kind kind = Kind.EXACT;
        String rest = p;
        if (p.startsWith("**.")) {
            kind = Kind.ANY_DEPTH;
            rest = p.substring(3);
        } else if (p.startsWith("*.")) {
            kind = Kind.ONE_LABEL;
            rest = p.substring(2);
        }
        if (rest.indexOf('*') >= 0) {
            throw new SandboxConfigException("'" + p + "' has a '*' that is not a whole leftmost label: write '*.'"
                    + " (one label) or '**.' (any depth) in front of a domain, such as '*.example.com'");
        }
        return new HostPattern(kind, rest);
    }

    /**
     * Whether the host name (a text name; Unicode is converted to A-labels) is covered by this pattern.
     *
     * @param host a host name
     * @return whether the pattern covers it; {@code false} for invalid names
     */
    public boolean matches(String host) {
        try {
            return matches(Names.labels(host));
        } catch (Names.InvalidNameException e) {
            return false;
        }
    }

    boolean matches(List<String> name) {
        List<String> base = labels();
        int extra = name.size() - base.size();
        boolean depthOk = switch (kind) {
            case EXACT -> extra == 0;
            case ONE_LABEL -> extra == 1;
            case ANY_DEPTH -> extra >= 1;
        };
        return depthOk && name.subList(extra, name.size()).equals(base);
    }

    /** The domain's labels, leftmost first. */
    List<String> labels() {
        return List.of(domain.substring(0, domain.length() - 1).split("\\."));
    }

    private static List<String> checkedLabels(String name, String shown) {
        try {
            return Names.labels(name);
        } catch (Names.InvalidNameException e) {
            throw new SandboxConfigException("invalid host pattern '" + Names.shorten(shown) + "': " + e.getMessage());
        }
    }

    private static String prefix(Kind kind) {
        return switch (kind) {
            case EXACT -> "";
            case ONE_LABEL -> "*.";
            case ANY_DEPTH -> "**.";
        };
    }

    /** The pattern as written in a rule, without the trailing dot: {@code *.example.com}. */
    @Override
    public String toString() {
        return prefix(kind) + domain.substring(0, domain.length() - 1);
    }
}
