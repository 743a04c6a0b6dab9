package dev.berth.cli;

import dev.berth.state.ContainerLog;
import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code berth logs}: what a detached container wrote, as the supervisor logged it (with arrival times). */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Show a detached container's output.")
final class LogsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container ends.")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Only the last N lines.")
    Integer tail;

    @Option(names = {"-t", "--timestamps"}, description = "Show when each line arrived.")
    boolean timestamps;

    @Parameters(paramLabel = "CONTAINER")
    String container;

    @Override
    public void run() {
        var berth = Main.berth(spec);
        ContainerRecord r = berth.inspect(container);
        Path log = Lifecycle.paths(spec).containerLog(r.id());
        PrintStream out = System.out;
        PrintStream err = System.err;
        java.util.function.Consumer<ContainerLog.Line> print = line -> {
            PrintStream to = line.stream() == ContainerLog.Stream.STDERR ? err : out;
            to.println(line.shown(timestamps));
            to.flush();
        };
        try {
            ContainerLog.Tail last = ContainerLog.tail(log, tail);
            last.lines().forEach(print);
            long position = last.position();
            while (follow && berth.inspect(r.id()).status() == ContainerRecord.Status.RUNNING) {
                Thread.sleep(200);
                position = ContainerLog.read(log, position, print);
            }
            if (follow) {
                ContainerLog.read(log, position, print);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
