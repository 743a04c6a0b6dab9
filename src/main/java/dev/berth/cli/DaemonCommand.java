package dev.berth.cli;

import dev.berth.daemon.Request;
import dev.berth.daemon.Supervisor;
import dev.berth.daemon.SupervisorClient;
import dev.berth.linux.Libc;
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

    @Override
    public Integer call() throws Exception {
        Main main = (Main) spec.root().userObject();
        Main.requireRoot();
        BerthPaths paths = new BerthPaths(main.root, main.runRoot);
        if (stop) {
            if (SupervisorClient.running(paths)) {
                int pid = Integer.parseInt(Lifecycle.ask(spec, Request.of("ping", null)));
                int pidfd = Libc.pidfdOpen(pid);
                try {
                    Lifecycle.ask(spec, Request.of("shutdown", null));
                    Libc.poll(pidfd, Libc.POLLIN, 10_000); // returns once it has exited
                } finally {
                    Libc.closeQuietly(pidfd);
                }
            }
            return 0;
        }
        try {
            Libc.setsid(); // its own session: the terminal that started it can go away
        } catch (RuntimeException alreadyLeader) {
            // started from a shell as a session leader: nothing to change
        }
        new Supervisor(paths, Main::executeDelegated).run();
        return 0;
    }
}
