package dev.berth.cli;

import dev.berth.api.Berth;
import dev.berth.BerthException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/** {@code berth kill}: send a signal to containers' first processes. */
@Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal (default KILL) to running containers.")
final class KillCommand extends EachContainerCommand {
    @Option(names = {"-s", "--signal"}, defaultValue = "KILL", description = "Name or number (default ${DEFAULT-VALUE}).")
    String signal;

    @Override
    String act(Berth berth, String container) {
        berth.signal(container, parse(signal));
        return container;
    }

    static int parse(String signal) {
        return dev.berth.spec.Signals.parse(signal);
    }
}
