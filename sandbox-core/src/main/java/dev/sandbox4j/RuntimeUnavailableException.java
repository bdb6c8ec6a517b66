package dev.sandbox4j;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * No container runtime could be used. {@link #attempts()} lists every runtime that was considered, in the
 * order tried, with the reason it was not usable and what to do about it.
 */
public class RuntimeUnavailableException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /** One runtime that was considered and why it could not be used. */
    public record Attempt(String runtime, String reason) {
        @Override
        public String toString() {
            return runtime + ": " + reason;
        }
    }

    private final List<Attempt> attempts;

    public RuntimeUnavailableException(String summary, List<Attempt> attempts) {
        super(summary + attempts.stream().map(a -> "\n  - " + a).collect(Collectors.joining()));
        this.attempts = List.copyOf(attempts);
    }

    /** Builds an exception from runtime name to reason, in iteration order. */
    public static RuntimeUnavailableException of(String summary, Map<String, String> reasons) {
        return new RuntimeUnavailableException(summary,
                reasons.entrySet().stream().map(e -> new Attempt(e.getKey(), e.getValue())).toList());
    }

    public List<Attempt> attempts() {
        return attempts;
    }
}
