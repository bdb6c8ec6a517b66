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

    /**
     * One runtime that was considered and why it could not be used.
     *
     * @param runtime the runtime's name, e.g. {@code podman}
     * @param reason  why it was not usable and what to do about it
     */
    public record Attempt(String runtime, String reason) {
        @Override
        public String toString() {
            return runtime + ": " + reason;
        }
    }

    /** The runtimes considered, in the order tried. */
    private final List<Attempt> attempts;

    /**
     * An exception whose message is {@code summary} followed by one line per attempt.
     *
     * @param summary  what was being looked for
     * @param attempts the runtimes considered, in the order tried; copied
     */
    public RuntimeUnavailableException(String summary, List<Attempt> attempts) {
        super(summary + attempts.stream().map(a -> "\n  - " + a).collect(Collectors.joining()));
        this.attempts = List.copyOf(attempts);
    }

    /**
     * Builds an exception from runtime name to reason, in the map's iteration order.
     *
     * @param summary what was being looked for
     * @param reasons runtime name to the reason it was not usable
     * @return the exception, not thrown
     */
    public static RuntimeUnavailableException of(String summary, Map<String, String> reasons) {
        return new RuntimeUnavailableException(summary,
                reasons.entrySet().stream().map(e -> new Attempt(e.getKey(), e.getValue())).toList());
    }

    /**
     * {@return every runtime that was considered, in the order tried, with the reason it was not usable; unmodifiable}
     */
    public List<Attempt> attempts() {
        return attempts;
    }
}
