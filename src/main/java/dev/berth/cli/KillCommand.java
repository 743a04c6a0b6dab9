package dev.berth.cli;

import dev.berth.api.Berth;
import dev.berth.BerthException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

/** {@code berth kill}: send a signal to containers' first processes. */
@Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal (default KILL) to running containers.")
final class KillCommand extends EachContainerCommand {
    private static final Map<String, Integer> SIGNALS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
            Map.entry("QUIT", 3), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("USR2", 12),
            Map.entry("TERM", 15), Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("WINCH", 28));

    @Option(names = {"-s", "--signal"}, defaultValue = "KILL", description = "Name or number (default ${DEFAULT-VALUE}).")
    String signal;

    @Override
    String act(Berth berth, String container) {
        berth.signal(container, parse(signal));
        return container;
    }

    static int parse(String signal) {
        String name = signal.toUpperCase().replaceFirst("^SIG", "");
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
