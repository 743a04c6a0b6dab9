package dev.berth.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Docker's multiplexed stream ({@code application/vnd.docker.multiplexed-stream}): stdout and stderr on
 * one connection, each frame an 8-byte header (stream 1 or 2, three zero bytes, the length big-endian)
 * and its bytes.
 */
final class Multiplexed {
    static final String CONTENT_TYPE = "application/vnd.docker.multiplexed-stream";
    static final int STDOUT = 1, STDERR = 2;

    private Multiplexed() {}

    static int of(dev.berth.state.ContainerLog.Stream stream) {
        return stream == dev.berth.state.ContainerLog.Stream.STDERR ? STDERR : STDOUT;
    }

    static void frame(OutputStream out, int stream, String text) {
        frame(out, stream, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one frame whole (frames from several threads never interleave) and flushes it. */
    static void frame(OutputStream out, int stream, byte[] payload) {
        byte[] header = {(byte) stream, 0, 0, 0, (byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
                (byte) (payload.length >>> 8), (byte) payload.length};
        try {
            synchronized (out) {
                out.write(header);
                out.write(payload);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
