package dev.berth.network;

import dev.berth.Explain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Kernel parameters of the network namespace berth runs in, through /proc/sys (never the sysctl tool). */
public final class Sysctl {
    private Sysctl() {}

    /** Sets name (dotted, e.g. net.ipv4.ip_forward) to value unless it already has it. */
    public static void set(String name, String value, Explain explain) {
        Path file = Path.of("/proc/sys", name.replace('.', '/'));
        try {
            if (Files.readString(file).strip().equals(value)) {
                return;
            }
            explain.say("sysctl -w " + name + "=" + value);
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set " + name, e);
        }
    }

    /** As set, for a per-interface parameter whose interface may be gone. */
    public static void setIfPresent(String name, String value, Explain explain) {
        if (Files.exists(Path.of("/proc/sys", name.replace('.', '/')))) {
            set(name, value, explain);
        }
    }
}
