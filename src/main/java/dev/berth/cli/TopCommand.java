package dev.berth.cli;

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
                    info.user().orElse("?"), commandLine(p.pid()));
        }
        table.print(spec.commandLine().getOut());
    }

    /** argv as the process set it (ProcessHandle shows the executable's path instead of argv[0]). */
    private static String commandLine(long pid) {
        try {
            return dev.berth.linux.Procfs.read("/proc/" + pid + "/cmdline").replace('\0', ' ').strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
