package dev.sandbox4j.internal;

import java.util.function.Supplier;

/** Undoing a step that has an effect when the step after it fails. */
public final class Rollback {
    private Rollback() {
    }

    /**
     * Runs {@code step}; if it throws, runs {@code undo} (whose own failure is added to the step's as suppressed)
     * and rethrows the step's exception. For example: a network was created, and inspecting it failed.
     *
     * @param step what to do
     * @param undo what reverts the effect that came before {@code step}
     * @param <T>  what the step returns
     * @return what the step returned
     */
    public static <T> T onFailure(Supplier<T> step, Runnable undo) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            try {
                undo.run();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
