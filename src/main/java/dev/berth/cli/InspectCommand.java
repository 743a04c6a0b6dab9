package dev.berth.cli;

import dev.berth.state.ContainerRecord;
import dev.berth.state.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code berth inspect}: a container's record as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a container's record as JSON.")
final class InspectCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public void run() {
        List<ContainerRecord> records = containers.stream().map(c -> Main.berth(spec).inspect(c)).toList();
        spec.commandLine().getOut().println(Json.render(records));
        spec.commandLine().getOut().flush();
    }
}
