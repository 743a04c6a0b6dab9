package dev.berth.daemon;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What keeps a supervisor that may exit when idle from exiting: work in progress (a client's command, an
 * Engine API connection, a restart waiting for its back-off), and the time the last of it ended.
 */
public final class Activity {
    private final AtomicInteger inProgress = new AtomicInteger();
    private final AtomicLong lastEnded = new AtomicLong(System.nanoTime());

    /** Marks the start of some work; the returned handle ends it (once). */
    public AutoCloseable begin() {
        inProgress.incrementAndGet();
        boolean[] ended = {false};
        return () -> {
            synchronized (ended) {
                if (!ended[0]) {
                    ended[0] = true;
                    lastEnded.set(System.nanoTime());
                    inProgress.decrementAndGet();
                }
            }
        };
    }

    /** Whether nothing is in progress and nothing ended in the last idleNanos. */
    public boolean idleFor(long idleNanos) {
        return inProgress.get() == 0 && System.nanoTime() - lastEnded.get() >= idleNanos;
    }
}
