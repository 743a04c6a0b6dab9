package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code berth stop}: SIGTERM, then SIGKILL after a grace period. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop running containers (SIGTERM, then SIGKILL).")
final class StopCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-t", "--time"}, defaultValue = "10", description = "Seconds to wait before SIGKILL (default ${DEFAULT-VALUE}).")
    int timeout;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public void run() {
        var berth = Main.berth(spec);
        for (String c : containers) {
            Lifecycle.stop(spec, berth, c, timeout);
            spec.commandLine().getOut().println(c);
        }
        spec.commandLine().getOut().flush();
    }
}
