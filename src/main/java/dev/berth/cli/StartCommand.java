package dev.berth.cli;

import dev.berth.daemon.Request;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code berth start}: start exited containers again, in the background, under the supervisor. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start stopped containers (detached).")
final class StartCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public void run() {
        for (String c : containers) {
            Lifecycle.ask(spec, Request.of("start", c));
            spec.commandLine().getOut().println(c);
        }
        spec.commandLine().getOut().flush();
    }
}
