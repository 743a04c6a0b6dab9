package dev.berth.cli;

import dev.berth.api.Host;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth top}: a container's processes, as the host sees them. */
@Command(name = "top", mixinStandardHelpOptions = true, description = "List a running container's processes (host PIDs).")
final class TopCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CONTAINER")
    String container;

    @Override
    public void run() {
        Table table = new Table("PID", "PPID", "USER", "CMD");
        for (ProcessHandle p : Main.berth(spec).processes(container)) {
            var info = p.info();
            table.add(String.valueOf(p.pid()), p.parent().map(h -> String.valueOf(h.pid())).orElse("?"),
                    info.user().orElse("?"), Host.commandLine(p.pid()));
        }
        table.print(spec.commandLine().getOut());
    }
}
