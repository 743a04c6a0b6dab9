package dev.berth.cli;

import dev.berth.daemon.Request;
import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code berth restart}: stop (when running), then start. */
@Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart containers.")
final class RestartCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-t", "--time"}, defaultValue = "10", description = "Seconds to wait before SIGKILL.")
    int timeout;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public void run() {
        var berth = Main.berth(spec);
        for (String c : containers) {
            if (berth.inspect(c).status() == ContainerRecord.Status.RUNNING) {
                Lifecycle.stop(spec, berth, c, timeout);
            }
            Lifecycle.ask(spec, Request.of("start", c));
            spec.commandLine().getOut().println(c);
        }
        spec.commandLine().getOut().flush();
    }
}
