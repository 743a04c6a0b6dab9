package dev.berth;

import java.lang.management.ManagementFactory;

/**
 * Phase timings on stderr when BERTH_TRACE is set: where the time of a command goes, measured from
 * the JVM's own start.
 */
public final class Trace {
    private static final boolean ON = System.getenv("BERTH_TRACE") != null;

    private Trace() {}

    /** System.nanoTime() at the JVM's start (marks are to a tenth of a millisecond). */
    private static final long START = ON ? System.nanoTime() - 1_000_000L
            * (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) : 0;

    public static void mark(String phase) {
        if (ON) {
            System.err.printf("berth-trace %8.1f ms  %s%n", (System.nanoTime() - START) / 1e6, phase);
        }
    }
}
