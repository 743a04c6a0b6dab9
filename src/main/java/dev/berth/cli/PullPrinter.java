package dev.berth.cli;

import dev.berth.image.Digest;
import dev.berth.image.PullProgress;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A pull as Docker shows it: a line per layer, redrawn in place on a terminal (bytes and rate), or
 * written once per change of state when the output is a file or a pipe.
 */
final class PullPrinter implements PullProgress {
    private final PrintWriter out;
    private final boolean terminal;
    private final Map<Digest, String> lines = new LinkedHashMap<>();
    private final Map<Digest, Long> started = new LinkedHashMap<>();
    private final Map<Digest, Long> sizes = new LinkedHashMap<>();
    private int drawn;
    private long lastDraw;

    PullPrinter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void resolved(String reference, Digest manifest) {
        out.println(reference + ": resolved to " + manifest);
        out.flush();
    }

    @Override
    public synchronized void layerExists(Digest layer) {
        set(layer, "Already exists");
    }

    @Override
    public synchronized void layerStarted(Digest layer, long size) {
        started.put(layer, System.nanoTime());
        sizes.put(layer, size);
        set(layer, "Pulling fs layer");
    }

    @Override
    public synchronized void layerBytes(Digest layer, long received) {
        if (!terminal) {
            return;
        }
        double seconds = Math.max(1e-3, (System.nanoTime() - started.getOrDefault(layer, System.nanoTime())) / 1e9);
        lines.put(layer, "Downloading " + bytes(received) + "/" + bytes(sizes.getOrDefault(layer, 0L)) + " "
                + bytes((long) (received / seconds)) + "/s");
        if (System.nanoTime() - lastDraw > 100_000_000L) {
            draw();
        }
    }

    @Override
    public synchronized void layerDone(Digest layer) {
        set(layer, "Pull complete");
    }

    private void set(Digest layer, String state) {
        lines.put(layer, state);
        if (terminal) {
            draw();
        } else {
            out.println(layer.shortHex() + ": " + state);
            out.flush();
        }
    }

    private void draw() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "A");
        }
        lines.forEach((layer, state) -> out.print("\r\033[2K" + layer.shortHex() + ": " + state + "\n"));
        drawn = lines.size();
        lastDraw = System.nanoTime();
        out.flush();
    }

    static String bytes(long n) {
        return Table.size(n, 1000);
    }
}
