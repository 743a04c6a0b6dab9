package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth gc}: remove what a crash left behind. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Remove kernel objects and records that no live container owns (after a crash or kill -9), "
                + "and restore the namespace pins a running container lost.")
final class GcCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        for (String change : Main.berth(spec).gc()) {
            spec.commandLine().getOut().println(change.startsWith("restored") ? change : "removed " + change);
        }
        spec.commandLine().getOut().flush();
    }
}
