package dev.sandbox4j.egress;

/**
 * The outcome of asking an {@link EgressPolicy} about a host or an address.
 *
 * @param allowed whether the destination may be reached
 * @param rule    the text of the rule that decided ({@code EgressRule.toString()}), or {@value #DEFAULT_RULE}
 *                when no rule matched
 * @param reason  a sentence that says why, fit to show to a user or a model
 */
public record EgressDecision(boolean allowed, String rule, String reason) {
    /** The {@link #rule()} of a decision made by the policy's default. */
    public static final String DEFAULT_RULE = "default";

    /**
     * Checks the parts.
     *
     * @param allowed whether the destination may be reached
     * @param rule    the deciding rule's text, or {@value #DEFAULT_RULE}
     * @param reason  a sentence that says why
     * @throws IllegalArgumentException for a missing rule or reason
     */
    public EgressDecision {
        if (rule == null || reason == null) {
            throw new IllegalArgumentException("rule and reason must not be null");
        }
    }

    /**
     * Whether no rule matched and the policy's default decided.
     *
     * @return {@code true} when {@link #rule()} is {@value #DEFAULT_RULE}
     */
    public boolean byDefault() {
        return DEFAULT_RULE.equals(rule);
    }
}
