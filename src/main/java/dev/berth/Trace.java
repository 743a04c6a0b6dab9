package dev.berth;

import java.lang.management.ManagementFactory;

/**
 * Phase timings on stderr when BERTH_TRACE is set: where the time of a command goes, measured from
 * the JVM's own start.
 */
public final class Trace {
    private static final boolean ON = System.getenv("BERTH_TRACE") != null;

    private Trace() {}

    public static void mark(String phase) {
        if (ON) {
            long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.printf("berth-trace %5d ms  %s%n", sinceStart, phase);
        }
    }
}
