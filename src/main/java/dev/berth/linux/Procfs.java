package dev.berth.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Facts about processes read from /proc. */
public final class Procfs {
    private Procfs() {}

    /** The process's start time in clock ticks after boot (stat field 22); empty when it is gone. */
    public static OptionalLong startTime(int pid) {
        try {
            String stat = read("/proc/" + pid + "/stat");
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields[0].equals("X")) {
                return OptionalLong.empty();
            }
            // a zombie still counts: its parent (a berth run or the supervisor) has yet to record its status
            return OptionalLong.of(Long.parseLong(fields[19]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * A whole /proc file. Files.readString trusts the size a file reports and can return a short read
     * for /proc/sys files (seen: "4" for "40\n"); reading the stream to its end does not.
     */
    public static String read(String path) throws IOException {
        try (var in = Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * This process's effective uid, from /proc/self/status: for a short-lived command, cheaper than
     * linking geteuid(2) through FFM (tens of milliseconds for the first binding).
     */
    public static int effectiveUid() {
        try {
            for (String line : read("/proc/self/status").split("\n")) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Libc.geteuid();
    }

    /** True when pid is alive and is the same process that started at startTime. */
    public static boolean isAlive(int pid, long startTime) {
        if (pid <= 0) {
            return false;
        }
        OptionalLong now = startTime(pid);
        return now.isPresent() && now.getAsLong() == startTime;
    }
}
