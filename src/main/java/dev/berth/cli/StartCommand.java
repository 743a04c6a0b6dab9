package dev.berth.cli;

import dev.berth.api.Berth;
import dev.berth.daemon.Request;
import picocli.CommandLine;
import picocli.CommandLine.Command;


/** {@code berth start}: start exited containers again, in the background, under the supervisor. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start stopped containers (detached).")
final class StartCommand extends EachContainerCommand {
    @Override
    String act(Berth berth, String container) {
        Lifecycle.ask(spec, Request.of("start", container));
        return container;
    }
}
