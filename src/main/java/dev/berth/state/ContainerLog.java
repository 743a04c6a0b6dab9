package dev.berth.state;

import dev.berth.BerthException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A detached container's log ({@code container.log}): one line per line of output, {@code TIME STREAM
 * TEXT}, the time it arrived (RFC 3339, as Docker's) and whether it came from stdout or stderr. Lines
 * written before berth told the streams apart have no STREAM and read as stdout.
 */
public final class ContainerLog {
    public enum Stream { STDOUT, STDERR }

    /** One line of output. */
    public record Line(String time, Stream stream, String text) {
        /** The text, or TIME TEXT (logs --timestamps). */
        public String shown(boolean timestamps) {
            return timestamps ? time + " " + text : text;
        }
    }

    private ContainerLog() {}

    /** The log's line for text that came from stream at time. */
    public static String format(Instant time, Stream stream, String text) {
        return time + " " + (stream == Stream.STDERR ? "stderr " : "stdout ") + text + "\n";
    }

    public static Line parse(String raw) {
        int space = raw.indexOf(' ');
        if (space < 0) {
            return new Line(raw, Stream.STDOUT, "");
        }
        String time = raw.substring(0, space);
        String rest = raw.substring(space + 1);
        if (rest.startsWith("stdout ") || rest.equals("stdout")) {
            return new Line(time, Stream.STDOUT, rest.length() > 7 ? rest.substring(7) : "");
        }
        if (rest.startsWith("stderr ") || rest.equals("stderr")) {
            return new Line(time, Stream.STDERR, rest.length() > 7 ? rest.substring(7) : "");
        }
        return new Line(time, Stream.STDOUT, rest);
    }

    /** The last lines of a log, and where the next read starts. */
    public record Tail(List<Line> lines, long position) {}

    /** The last n complete lines (all when n is null), and the position after them. */
    public static Tail tail(Path log, Integer n) {
        List<Line> lines = new ArrayList<>();
        long position = read(log, 0, lines::add);
        return new Tail(n == null ? lines : lines.subList(Math.max(0, lines.size() - n), lines.size()), position);
    }

    /**
     * Passes the complete lines from position on to each; returns the position after them. The file
     * being shorter than position means the supervisor rotated it: reading starts again at its top.
     */
    public static long read(Path log, long position, Consumer<Line> each) {
        if (!Files.exists(log)) {
            return position;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long size = file.length();
            long from = size < position ? 0 : position;
            file.seek(from);
            byte[] bytes = new byte[(int) Math.min(size - from, Integer.MAX_VALUE - 8)];
            file.readFully(bytes);
            int end = lastNewline(bytes);
            if (end < 0) {
                return from; // no complete line yet
            }
            new String(bytes, 0, end, StandardCharsets.UTF_8).lines().forEach(l -> each.accept(parse(l)));
            return from + end + 1;
        } catch (IOException e) {
            throw new BerthException("cannot read " + log + ": " + e.getMessage(), e);
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
