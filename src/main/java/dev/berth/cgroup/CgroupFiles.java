package dev.berth.cgroup;

import dev.berth.BerthException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading and writing cgroupfs files, with errors that say which file and value. */
final class CgroupFiles {
    private CgroupFiles() {}

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new BerthException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
        }
    }

    static String read(Path file) {
        try (var in = Files.newInputStream(file)) {
            return new String(in.readAllBytes()).strip();
        } catch (IOException e) {
            return "";
        }
    }

    static long readLong(Path file) {
        String value = read(file);
        try {
            return value.isEmpty() || value.equals("max") ? 0 : Long.parseLong(value.split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The value of "key N" in a flat keyed file such as memory.events or memory.oom_control. */
    static long keyed(Path file, String key) {
        for (String line : read(file).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(key)) {
                return Long.parseLong(f[1]);
            }
        }
        return 0;
    }

    /** The pids listed in a cgroup.procs file. */
    static java.util.List<Integer> pids(Path procs) {
        String text = read(procs);
        return text.isEmpty() ? java.util.List.of()
                : java.util.Arrays.stream(text.split("\\s+")).map(Integer::valueOf).toList();
    }

    /** Waits (at most ~2 s) until file reads expected; false if it never did. */
    static boolean await(Path file, String expected) {
        for (int attempt = 0; attempt < 200; attempt++) {
            if (read(file).equals(expected)) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** rmdir, retried while the kernel still counts exiting processes (at most ~2 s). */
    static void removeDirectory(Path dir) {
        for (int attempt = 0; attempt < 100 && Files.exists(dir); attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
