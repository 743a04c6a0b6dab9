package dev.berth.cli;

import dev.berth.api.Berth;
import dev.berth.daemon.Request;
import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/** {@code berth restart}: stop (when running), then start. */
@Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart containers.")
final class RestartCommand extends EachContainerCommand {
    @Option(names = {"-t", "--time"}, defaultValue = "10", description = "Seconds to wait before SIGKILL.")
    int timeout;

    @Override
    String act(Berth berth, String container) {
        if (berth.inspect(container).status() == ContainerRecord.Status.RUNNING) {
            Lifecycle.stop(spec, berth, container, timeout);
        }
        Lifecycle.ask(spec, Request.of("start", container));
        return container;
    }
}
