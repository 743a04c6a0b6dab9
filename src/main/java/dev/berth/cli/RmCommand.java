package dev.berth.cli;

import dev.berth.api.Berth;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/** {@code berth rm}: remove containers. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove containers.")
final class RmCommand extends EachContainerCommand {
    @Option(names = {"-f", "--force"}, description = "Kill a running container before removing it.")
    boolean force;

    @Option(names = {"-v", "--volumes"},
            description = "Also remove anonymous volumes (Docker's flag; berth makes none: the container's writable "
                    + "layer, its only storage, always goes with it).")
    boolean volumes;

    @Override
    String act(Berth berth, String container) {
        berth.remove(container, force);
        return container;
    }
}
