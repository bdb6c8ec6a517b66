package dev.sandbox4j.egress;

/** Where a sandbox may connect. Placeholder until the egress module lands. */
public final class EgressPolicy {
    /** The policy a sandbox gets when none is set. */
    public static final EgressPolicy DEFAULT = new EgressPolicy(true);

    private final boolean allowAll;

    private EgressPolicy(boolean allowAll) {
        this.allowAll = allowAll;
    }

    public static EgressPolicy allowAll() {
        return DEFAULT;
    }

    public boolean allowsEverything() {
        return allowAll;
    }
}
