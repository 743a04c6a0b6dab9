package dev.berth.daemon;

import dev.berth.linux.Libc;
import dev.berth.state.ContainerLog;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.BiConsumer;

/**
 * Moves a detached container's output from its FIFOs (stdout's, and stderr's when it has one) to its
 * log: every line with the time it arrived and its stream ({@link ContainerLog}), the file rotated to
 * {@code .1} past a size limit.
 */
final class LogPump implements AutoCloseable {
    static final long LIMIT = 10L * 1024 * 1024;

    private final int[] fds;
    private final Path log;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(16 * 1024);
    private final StringBuilder[] partial = {new StringBuilder(), new StringBuilder()};
    private final BiConsumer<ContainerLog.Stream, byte[]> listener;
    private OutputStream out;

    /**
     * stdout and stderr are the FIFOs' read ends (stderr -1: it all comes through stdout's); listener
     * also gets the bytes as they are read, before they make whole lines (attach through the Engine
     * API: a shell's prompt has no newline).
     */
    LogPump(int stdout, int stderr, Path log, BiConsumer<ContainerLog.Stream, byte[]> listener) {
        this.fds = stderr < 0 ? new int[] {stdout} : new int[] {stdout, stderr};
        this.log = log;
        this.listener = listener;
    }

    int[] fds() {
        return fds.clone();
    }

    /** Reads what is there on fd (the caller polled it readable) and writes the complete lines. */
    synchronized void pump(int fd) {
        int which = fd == fds[0] ? 0 : 1;
        int n;
        try {
            n = Libc.read(fd, buffer, buffer.byteSize());
        } catch (RuntimeException e) {
            return; // EAGAIN on a non-blocking fd: nothing after all
        }
        if (n <= 0) {
            return;
        }
        byte[] bytes = buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        listener.accept(stream(which), bytes);
        StringBuilder pending = partial[which];
        pending.append(new String(bytes, StandardCharsets.UTF_8));
        int newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
            write(stream(which), pending.substring(0, newline));
            pending.delete(0, newline + 1);
        }
    }

    private static ContainerLog.Stream stream(int which) {
        return which == 0 ? ContainerLog.Stream.STDOUT : ContainerLog.Stream.STDERR;
    }

    /** Writes the last lines that had no newline (the container ended). */
    synchronized void flush() {
        for (int which = 0; which < partial.length; which++) {
            if (!partial[which].isEmpty()) {
                write(stream(which), partial[which].toString());
                partial[which].setLength(0);
            }
        }
    }

    private void write(ContainerLog.Stream stream, String line) {
        try {
            if (out == null) {
                out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            out.write(ContainerLog.format(Instant.now(), stream, line).getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (Files.size(log) > LIMIT) {
                out.close();
                out = null;
                Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log, e);
        }
    }

    @Override
    public synchronized void close() {
        for (int fd : fds) {
            Libc.closeQuietly(fd);
        }
        arena.close();
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
