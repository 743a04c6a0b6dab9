package dev.berth.spec;

import dev.berth.BerthException;

import java.util.Locale;
import java.util.Map;

/** Signal names as Docker takes them ({@code HUP}, {@code SIGTERM}, {@code 15}): for kill, --stop-signal, StopSignal. */
public final class Signals {
    private static final Map<String, Integer> SIGNALS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
            Map.entry("QUIT", 3), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("USR2", 12),
            Map.entry("TERM", 15), Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("WINCH", 28),
            Map.entry("PWR", 30));

    private Signals() {}

    public static int parse(String signal) {
        String name = signal.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        if (SIGNALS.containsKey(name)) {
            return SIGNALS.get(name);
        }
        try {
            int n = Integer.parseInt(name);
            if (n > 0 && n < 65) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BerthException("invalid signal '" + signal + "'");
    }
}
