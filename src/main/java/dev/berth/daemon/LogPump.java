package dev.berth.daemon;

import dev.berth.linux.Libc;

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

/**
 * Moves a detached container's output from its FIFO to its log: every line prefixed with the time it
 * arrived (RFC 3339, as Docker's), the file rotated to {@code .1} past a size limit.
 */
final class LogPump implements AutoCloseable {
    static final long LIMIT = 10L * 1024 * 1024;

    private final int fd;
    private final Path log;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(16 * 1024);
    private final StringBuilder partial = new StringBuilder();
    private OutputStream out;

    private final java.util.function.Consumer<String> listener;

    /** listener also gets every line as it is written (attach through the Engine API). */
    LogPump(int fd, Path log, java.util.function.Consumer<String> listener) {
        this.fd = fd;
        this.log = log;
        this.listener = listener;
    }

    int fd() {
        return fd;
    }

    /** Reads what is there (the caller polled the fd readable) and writes the complete lines. */
    synchronized void pump() {
        int n;
        try {
            n = Libc.read(fd, buffer, buffer.byteSize());
        } catch (RuntimeException e) {
            return; // EAGAIN on a non-blocking fd: nothing after all
        }
        if (n <= 0) {
            return;
        }
        partial.append(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        int newline;
        while ((newline = partial.indexOf("\n")) >= 0) {
            write(partial.substring(0, newline));
            partial.delete(0, newline + 1);
        }
    }

    /** Writes a last line that had no newline (the container ended). */
    synchronized void flush() {
        if (!partial.isEmpty()) {
            write(partial.toString());
            partial.setLength(0);
        }
    }

    private void write(String line) {
        try {
            if (out == null) {
                out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            out.write((Instant.now() + " " + line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            listener.accept(line);
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
        Libc.closeQuietly(fd);
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
