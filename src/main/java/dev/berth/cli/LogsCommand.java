package dev.berth.cli;

import dev.berth.BerthException;
import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code berth logs}: what a detached container wrote. Its output goes straight to a file (so it
 * survives the supervisor), which is why lines carry no timestamps of their own.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Show a detached container's output.")
final class LogsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container ends.")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Only the last N lines.")
    Integer tail;

    @Option(names = {"-t", "--timestamps"}, description = "Not available: the log is the container's raw output.")
    boolean timestamps;

    @Parameters(paramLabel = "CONTAINER")
    String container;

    @Override
    public void run() {
        if (timestamps) {
            throw new BerthException("--timestamps is not supported: a detached container writes its log file itself "
                    + "(so it survives a supervisor crash), and the lines carry no time");
        }
        var berth = Main.berth(spec);
        ContainerRecord r = berth.inspect(container);
        Path log = Lifecycle.paths(spec).containerLog(r.id());
        PrintStream out = System.out;
        try {
            long position = 0;
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                int from = tail == null ? 0 : Math.max(0, lines.size() - tail);
                lines.subList(from, lines.size()).forEach(out::println);
                position = Files.size(log);
            }
            out.flush();
            while (follow && berth.inspect(r.id()).status() == ContainerRecord.Status.RUNNING) {
                Thread.sleep(200);
                position = copyNew(log, position, out);
            }
            if (follow) {
                copyNew(log, position, out);
            }
        } catch (IOException e) {
            throw new BerthException("cannot read " + log + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long copyNew(Path log, long position, PrintStream out) throws IOException {
        if (!Files.exists(log)) {
            return position;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long size = file.length();
            if (size < position) {
                position = 0; // the supervisor rotated it
            }
            file.seek(position);
            byte[] bytes = new byte[(int) (size - position)];
            file.readFully(bytes);
            out.write(bytes);
            out.flush();
            return size;
        }
    }
}
