package dev.berth.cli;

import dev.berth.state.PortMapping;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth port NAME}: a container's published ports. */
@Command(name = "port", mixinStandardHelpOptions = true, description = "List a container's published ports.")
final class PortCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CONTAINER")
    String container;

    @Override
    public void run() {
        for (PortMapping p : Main.berth(spec).inspect(container).ports()) {
            spec.commandLine().getOut().println(p);
        }
        spec.commandLine().getOut().flush();
    }
}
