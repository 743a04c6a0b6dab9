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
        try {
            long position = 0;
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                int from = tail == null ? 0 : Math.max(0, lines.size() - tail);
                lines.subList(from, lines.size()).forEach(l -> out.println(shown(l)));
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

    /** A log line is "TIME TEXT": the text alone, or all of it with --timestamps. */
    private String shown(String line) {
        int space = line.indexOf(' ');
        return timestamps || space < 0 ? line : line.substring(space + 1);
    }

    private long copyNew(Path log, long position, PrintStream out) throws IOException {
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
            int end = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).lastIndexOf('\n');
            if (end < 0) {
                return position; // no complete line yet
            }
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).substring(0, end);
            text.lines().forEach(l -> out.println(shown(l)));
            out.flush();
            return position + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        }
    }
}
