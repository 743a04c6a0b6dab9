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
            description = "Also remove the container's anonymous volumes (an image's VOLUME, -v /path) that no other "
                    + "container uses.")
    boolean volumes;

    @Override
    String act(Berth berth, String container) {
        berth.remove(container, force, volumes);
        return container;
    }
}
