package dev.sandbox4j.egress;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Host-name normalisation shared by patterns and lookups: label-wise, lowercase A-labels, never substrings. */
final class Names {
    /** Longest name in text form without the trailing dot (RFC 1035: 255 octets on the wire). */
    static final int MAX_NAME = 253;
    static final int MAX_LABEL = 63;

    private Names() {
    }

    /** A name that cannot be a DNS host name; the message says why. */
    static final class InvalidNameException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidNameException(String message) {
            super(message);
        }
    }

    /**
     * Splits a host name into lowercase A-labels, leftmost first. One trailing dot is allowed; Unicode labels are
     * converted with {@link IDN#toASCII(String, int)}.
     */
    static List<String> labels(String host) {
        if (host == null || host.isEmpty()) {
            throw new InvalidNameException("the host name is empty");
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.isEmpty()) {
            throw new InvalidNameException("'" + host + "' is only a dot: give a host name such as example.com");
        }
        if (h.indexOf(':') >= 0 || h.indexOf('/') >= 0) {
            throw new InvalidNameException("'" + host + "' is not a host name (ports go in allow(host, ports...),"
                    + " addresses and networks in allowCidr(\"203.0.113.0/24\"))");
        }
        String[] raw = h.split("\\.", -1);
        List<String> out = new ArrayList<>(raw.length);
        for (String label : raw) {
            out.add(label(label, host));
        }
        int length = String.join(".", out).length();
        if (length > MAX_NAME) {
            throw new InvalidNameException("'" + shorten(host) + "' is " + length + " bytes long; a DNS name has at most "
                    + MAX_NAME);
        }
        if (out.size() == 4 && out.stream().allMatch(l -> l.chars().allMatch(c -> c >= '0' && c <= '9'))) {
            throw new InvalidNameException("'" + host + "' is an IPv4 address, not a host name: use allowCidr(\""
                    + host + "/32\")");
        }
        return List.copyOf(out);
    }

    private static String label(String label, String host) {
        if (label.isEmpty()) {
            throw new InvalidNameException("'" + host + "' has an empty label (two dots in a row, or a leading dot)");
        }
        String ascii = label;
        if (!isAscii(label)) {
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (c == '\u00df' || c == '\u03c2' || c == '\u200c' || c == '\u200d') {
                    throw new InvalidNameException("label '" + label + "' of '" + host + "' contains a character that"
                            + " IDNA2003 and IDNA2008 convert differently: write the label's A-label (xn--...)");
                }
            }
            try {
                ascii = IDN.toASCII(label, 0);
            } catch (IllegalArgumentException e) {
                throw new InvalidNameException("label '" + label + "' of '" + host + "' is not a valid"
                        + " internationalised label: " + e.getMessage());
            }
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        if (ascii.length() > MAX_LABEL) {
            throw new InvalidNameException("label '" + shorten(ascii) + "' of '" + shorten(host) + "' is "
                    + ascii.length() + " bytes long; a DNS label has at most " + MAX_LABEL);
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (!isLdh(ascii.charAt(i))) {
                throw new InvalidNameException("label '" + label + "' of '" + shorten(host) + "' contains '"
                        + ascii.charAt(i) + "': only letters, digits, '-' and '_' are allowed");
            }
        }
        if (ascii.startsWith("-") || ascii.endsWith("-")) {
            throw new InvalidNameException("label '" + label + "' of '" + host + "' starts or ends with '-'");
        }
        return ascii;
    }

    /** Letters, digits, hyphen and underscore: the only bytes a policy name or a forwarded query may hold. */
    static boolean isLdh(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
