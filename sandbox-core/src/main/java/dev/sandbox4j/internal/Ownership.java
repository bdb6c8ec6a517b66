package dev.sandbox4j.internal;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The labels that mark what this JVM created: every container and network carries
 * {@code dev.sandbox4j.owner = <pid>-<process start millis>-<instance>} so leftovers can be found and told
 * apart from a live owner's.
 */
public final class Ownership {
    public static final String MANAGED = "dev.sandbox4j.managed";
    public static final String OWNER = "dev.sandbox4j.owner";
    public static final String SANDBOX = "dev.sandbox4j.sandbox";
    /** Set to {@code true} on a sandbox that outlives its JVM: never reaped, found again with attach. */
    public static final String DETACHED = "dev.sandbox4j.detached";
    /** The image reference a detached sandbox was started from, so an attached handle can report it. */
    public static final String IMAGE = "dev.sandbox4j.image";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String INSTANCE = HexFormat.of().formatHex(RANDOM.generateSeed(4));
    private static final String OWNER_ID;

    static {
        java.lang.ProcessHandle self = java.lang.ProcessHandle.current();
        long started = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        OWNER_ID = self.pid() + "-" + started + "-" + INSTANCE;
    }

    private Ownership() {
    }

    /** This JVM's owner id. */
    public static String ownerId() {
        return OWNER_ID;
    }

    /** A fresh sandbox name: {@code sb4j-} and 12 hex digits. */
    public static String newSandboxName() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "sb4j-" + HexFormat.of().formatHex(b);
    }

    /** The labels for a resource of sandbox {@code name}. */
    public static Map<String, String> labels(String name) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED, "true");
        labels.put(OWNER, OWNER_ID);
        labels.put(SANDBOX, name);
        return labels;
    }

    /**
     * Whether a resource with these labels still belongs to someone: its owner process is alive, or it is
     * detached. Resources without an owner label are not ours to judge and count as claimed.
     */
    public static boolean claimed(Map<String, String> labels) {
        if ("true".equals(labels.get(DETACHED))) {
            return true;
        }
        String owner = labels.get(OWNER);
        return owner == null || ownerAlive(owner);
    }

    /** Whether the process that wrote an owner id is still alive (same pid and same start time). */
    public static boolean ownerAlive(String ownerId) {
        String[] parts = ownerId.split("-");
        if (parts.length != 3) {
            return false;
        }
        try {
            long pid = Long.parseLong(parts[0]);
            long started = Long.parseLong(parts[1]);
            Optional<java.lang.ProcessHandle> handle = java.lang.ProcessHandle.of(pid);
            return handle.filter(java.lang.ProcessHandle::isAlive)
                    .flatMap(h -> h.info().startInstant())
                    .map(i -> Math.abs(i.toEpochMilli() - started) < 1000)
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
