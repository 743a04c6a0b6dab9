package dev.berth.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waiting for a condition: never a bare sleep used as synchronisation. */
public final class Wait {
    private Wait() {}

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int attempts = 0;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || ++attempts > 100_000) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
