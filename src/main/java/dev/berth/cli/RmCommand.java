package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code berth rm}: remove containers. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove containers.")
final class RmCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--force"}, description = "Kill a running container before removing it.")
    boolean force;

    @Option(names = {"-v", "--volumes"},
            description = "Also remove anonymous volumes (Docker's flag; berth makes none: the container's writable "
                    + "layer, its only storage, always goes with it).")
    boolean volumes;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Name, id or unique id prefix.")
    List<String> containers;

    @Override
    public void run() {
        for (String container : containers) {
            Main.berth(spec).remove(container, force);
            spec.commandLine().getOut().println(container);
        }
        spec.commandLine().getOut().flush();
    }
}
