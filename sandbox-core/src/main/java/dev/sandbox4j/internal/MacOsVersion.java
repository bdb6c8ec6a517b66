package dev.sandbox4j.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The macOS product version a JVM really runs on, read in a way that is right for every JDK. Pure: the facts come
 * from a {@link Source}.
 *
 * <p>macOS lies to programs built with an older SDK. Such a process has the "system version compat" shim on
 * (dyld sets it from the SDK the binary was linked against; xnu {@code libsyscall/wrappers/_libkernel_init.c}
 * then writes {@code kern.system_version_compat = 1}), and from then on:
 * <ul>
 *   <li>{@code kern.osproductversion} answers with {@code kern.osproductversioncompat} instead of the real
 *       version (xnu {@code bsd/kern/kern_sysctl.c}, {@code sysctl_osproductversion}): {@code 10.16} on macOS 11-15
 *       for pre-11 SDKs, {@code 16.x} on macOS 26 for pre-26 SDKs (JDK-8359830: most JDKs report os.version 16 on
 *       macOS 26);</li>
 *   <li>opening any path that ends in {@code SystemVersion.plist} is redirected to
 *       {@code SystemVersionCompat.plist} (xnu {@code libsyscall/wrappers/system-version-compat.c},
 *       {@code _system_version_compat_check_path_suffix}), so reading
 *       {@code /System/Library/CoreServices/SystemVersion.plist} from Java gives the compat version too.</li>
 * </ul>
 * What is not redirected: {@code /System/Library/CoreServices/.SystemVersionPlatform.plist} (its name does not end
 * in {@code SystemVersion.plist}; the JDK reads it for the same reason) and the kernel release
 * {@code kern.osrelease} (Darwin 20-24 are macOS 11-15, Darwin 25 is macOS 26).
 *
 * <p>(Read in apple-oss-distributions/xnu {@code xnu-11417.101.15}.) So: {@code kern.osproductversion} when the
 * compat shim is off (and its answer is not the compat version); otherwise the platform plist's
 * {@code ProductVersion}; otherwise the major version from the Darwin release.
 */
public final class MacOsVersion {
    /** The version file the compat shim does not redirect. */
    public static final String PLATFORM_PLIST = "/System/Library/CoreServices/.SystemVersionPlatform.plist";

    private static final Pattern PRODUCT_VERSION =
            Pattern.compile("<key>ProductVersion</key>\\s*<string>\\s*([0-9][0-9.]*)\\s*</string>");
    private static final Pattern DARWIN = Pattern.compile("(\\d+)\\.\\d+(?:\\.\\d+)?");

    private MacOsVersion() {
    }

    /** Where the facts come from: sysctls and files of the running Mac, or a test's values. */
    public interface Source {
        Optional<String> sysctlString(String name);

        Optional<Long> sysctlLong(String name);

        /** A text file's content; empty when it cannot be read. */
        Optional<String> readFile(String path);
    }

    /** The version and how it was found, for messages. */
    public record Reading(String version, String how) {
        /** The major version, or -1 when it is not a number. */
        public int major() {
            try {
                return Integer.parseInt(version.strip().split("\\.")[0]);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** The real product version, or empty when none of the sources answered. */
    public static Optional<Reading> read(Source source) {
        Optional<String> product = source.sysctlString("kern.osproductversion").map(String::strip)
                .filter(s -> !s.isEmpty());
        boolean shim = source.sysctlLong("kern.system_version_compat").orElse(0L) == 1L;
        Optional<String> compat = source.sysctlString("kern.osproductversioncompat").map(String::strip)
                .filter(s -> !s.isEmpty());
        boolean compatAnswer = shim
                || (product.isPresent() && compat.isPresent() && compat.get().equals(product.get()));
        if (product.isPresent() && !compatAnswer) {
            return Optional.of(new Reading(product.get(), "kern.osproductversion"));
        }
        Optional<String> plist = source.readFile(PLATFORM_PLIST).flatMap(MacOsVersion::productVersion);
        if (plist.isPresent()) {
            return Optional.of(new Reading(plist.get(), PLATFORM_PLIST + " (kern.osproductversion gave the compat "
                    + "version " + product.orElse("(none)") + " to this JVM)"));
        }
        Optional<Integer> fromDarwin = source.sysctlString("kern.osrelease").flatMap(MacOsVersion::fromDarwin);
        if (fromDarwin.isPresent()) {
            return Optional.of(new Reading(Integer.toString(fromDarwin.get()), "kern.osrelease (Darwin "
                    + source.sysctlString("kern.osrelease").orElse("") + ")"));
        }
        return product.map(p -> new Reading(p, "kern.osproductversion (possibly the compat version)"));
    }

    /** {@code ProductVersion} of an XML property list, if it has one. */
    static Optional<String> productVersion(String plist) {
        Matcher m = PRODUCT_VERSION.matcher(plist);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The macOS major version of a Darwin kernel release: 20-24 are 11-15, 25 and later are that plus one. */
    static Optional<Integer> fromDarwin(String release) {
        Matcher m = DARWIN.matcher(release.strip());
        if (!m.lookingAt()) {
            return Optional.empty();
        }
        int darwin = Integer.parseInt(m.group(1));
        if (darwin >= 25) {
            return Optional.of(darwin + 1);
        }
        if (darwin >= 20) {
            return Optional.of(darwin - 9);
        }
        return Optional.empty();   // 10.x: the minor version is not derivable from the major alone
    }
}
