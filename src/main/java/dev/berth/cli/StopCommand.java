package dev.berth.cli;

import dev.berth.api.Berth;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/** {@code berth stop}: SIGTERM, then SIGKILL after a grace period. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop running containers (SIGTERM, then SIGKILL).")
final class StopCommand extends EachContainerCommand {
    @Option(names = {"-t", "--time"}, defaultValue = "10", description = "Seconds to wait before SIGKILL (default ${DEFAULT-VALUE}).")
    int timeout;

    @Override
    String act(Berth berth, String container) {
        Lifecycle.stop(spec, berth, container, timeout);
        return container;
    }
}
