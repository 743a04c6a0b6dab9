package dev.berth.cli;

import dev.berth.api.Host;
import dev.berth.daemon.Request;
import dev.berth.daemon.Supervisor;
import dev.berth.daemon.SupervisorClient;
import dev.berth.state.BerthPaths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code berth daemon}: the supervisor of detached containers (started on demand by berth run -d). */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Run the supervisor of detached containers (berth run -d starts it when needed).")
final class DaemonCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--stop", description = "Ask the running supervisor to exit (its containers keep running).")
    boolean stop;

    @Option(names = "--idle-exit", paramLabel = "SECONDS",
            description = "Exit after this long with nothing to do: no container running, no client (0: never).")
    long idleExit;

    @Override
    public Integer call() throws Exception {
        Main main = (Main) spec.root().userObject();
        Main.requireRoot();
        BerthPaths paths = new BerthPaths(main.root, main.runRoot);
        if (stop) {
            if (SupervisorClient.running(paths)) {
                int pid = Integer.parseInt(Lifecycle.ask(spec, Request.of("ping", null)));
                Host.awaitExit(pid, 10_000, () -> Lifecycle.ask(spec, Request.of("shutdown", null)));
            }
            return 0;
        }
        Host.leaveTerminalSession();
        new Supervisor(paths, Main::executeDelegated, idleExit).run();
        return 0;
    }
}
