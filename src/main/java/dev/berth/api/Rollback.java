package dev.berth.api;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The undo steps of a half-done creation, run newest first when a later step fails. Every step runs even
 * when an earlier one fails; their failures are added to the original one as suppressed.
 */
final class Rollback {
    private final Deque<Runnable> steps = new ArrayDeque<>();

    void add(Runnable undo) {
        steps.push(undo);
    }

    /** Undoes everything, then rethrows failure. */
    RuntimeException undo(RuntimeException failure) {
        while (!steps.isEmpty()) {
            try {
                steps.pop().run();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }
}
