package dev.berth.cli;

import dev.berth.api.Host;
import dev.berth.BerthException;
import dev.berth.api.Berth;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code berth exec}: run a command in a running container; its exit status is berth's. */
@Command(name = "exec", mixinStandardHelpOptions = true, description = "Run a command in a running container.")
final class ExecCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-i", "--interactive"}, description = "Keep standard input open.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal.")
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run as this user.")
    String user;

    @Parameters(paramLabel = "CONTAINER COMMAND [ARG...]", arity = "2..*")
    List<String> positional;

    @Override
    public Integer call() throws Exception {
        Berth berth = Main.berth(spec);
        ContainerStarter.Stdio stdio = Main.stdio(spec, interactive, tty);
        if (tty && interactive && !Host.isTerminal(stdio.userIn())) {
            throw new BerthException("the input device is not a TTY");
        }
        SignalForwarder signals = Main.signals(spec);
        ContainerProcess process = berth.exec(positional.getFirst(), positional.subList(1, positional.size()),
                RunCommand.withValues(env, Main.environment(spec)), workdir, user, tty, stdio);
        try (process) {
            signals.attach(process);
            if (process.terminal() != null) {
                process.terminal().attach(stdio.userIn(), stdio.userOut());
            }
            int exitCode = process.waitFor();
            if (process.terminal() != null) {
                process.terminal().drain(2_000);
            }
            return exitCode;
        }
    }
}
