package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code berth update}: change the limits of running containers. */
@Command(name = "update", mixinStandardHelpOptions = true, description = "Change the resource limits of running containers.")
final class UpdateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    LimitOptions limits = new LimitOptions();

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public void run() {
        var resources = limits.toSpec();
        for (String container : containers) {
            Main.berth(spec).update(container, resources);
            spec.commandLine().getOut().println(container);
        }
        spec.commandLine().getOut().flush();
    }
}
