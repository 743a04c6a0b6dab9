package dev.berth.cli;

import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code berth wait}: block until containers end, print their exit codes (as Docker does). */
@Command(name = "wait", mixinStandardHelpOptions = true, description = "Wait for containers to end; print their exit codes.")
final class WaitCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public void run() {
        var berth = Main.berth(spec);
        for (String c : containers) {
            ContainerRecord r = berth.inspect(c);
            while (r.status() != ContainerRecord.Status.EXITED) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                r = berth.inspect(r.id());
            }
            spec.commandLine().getOut().println(r.exitCode() == null ? -1 : r.exitCode());
        }
        spec.commandLine().getOut().flush();
    }
}
