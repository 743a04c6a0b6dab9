package dev.berth.oci;

import dev.berth.spec.ProcessSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Engines ask for generous rlimits (podman: RLIMIT_NOFILE 1048576) that only CAP_SYS_RESOURCE may set
 * above the caller's hard limit. Where berth-oci lacks that capability (root in a container, as on these
 * machines) such a limit is lowered to the hard limit berth-oci has, with a warning, instead of failing
 * every container the engine makes; a limit within reach is set exactly.
 */
final class HostLimits {
    private static final int CAP_SYS_RESOURCE = 24;
    /** /proc/self/limits row names. */
    private static final Map<String, String> ROWS = Map.ofEntries(Map.entry("RLIMIT_CPU", "Max cpu time"),
            Map.entry("RLIMIT_FSIZE", "Max file size"), Map.entry("RLIMIT_DATA", "Max data size"),
            Map.entry("RLIMIT_STACK", "Max stack size"), Map.entry("RLIMIT_CORE", "Max core file size"),
            Map.entry("RLIMIT_RSS", "Max resident set"), Map.entry("RLIMIT_NPROC", "Max processes"),
            Map.entry("RLIMIT_NOFILE", "Max open files"), Map.entry("RLIMIT_MEMLOCK", "Max locked memory"),
            Map.entry("RLIMIT_AS", "Max address space"), Map.entry("RLIMIT_LOCKS", "Max file locks"),
            Map.entry("RLIMIT_SIGPENDING", "Max pending signals"), Map.entry("RLIMIT_MSGQUEUE", "Max msgqueue size"),
            Map.entry("RLIMIT_NICE", "Max nice priority"), Map.entry("RLIMIT_RTPRIO", "Max realtime priority"),
            Map.entry("RLIMIT_RTTIME", "Max realtime timeout"));

    private HostLimits() {}

    static List<ProcessSpec.Rlimit> clamp(List<ProcessSpec.Rlimit> limits, boolean warn) {
        if (limits.isEmpty() || canRaise()) {
            return limits;
        }
        List<String> table;
        try {
            table = Files.readAllLines(Path.of("/proc/self/limits"));
        } catch (IOException e) {
            return limits;
        }
        List<ProcessSpec.Rlimit> clamped = new ArrayList<>();
        for (ProcessSpec.Rlimit limit : limits) {
            long hard = hardLimit(table, ROWS.get(limit.type()));
            if (hard != -1 && (limit.hard() == -1 || Long.compareUnsigned(limit.hard(), hard) > 0)) {
                if (warn) {
                    System.err.println("berth-oci: warning: " + limit.type() + " " + limit.soft() + ":" + limit.hard()
                            + " lowered to the hard limit " + hard + " (raising it needs CAP_SYS_RESOURCE)");
                }
                long soft = limit.soft() == -1 || Long.compareUnsigned(limit.soft(), hard) > 0 ? hard : limit.soft();
                clamped.add(new ProcessSpec.Rlimit(limit.type(), hard, soft));
            } else {
                clamped.add(limit);
            }
        }
        return clamped;
    }

    /** The hard limit of a /proc/self/limits row; -1 for unlimited or unknown. */
    private static long hardLimit(List<String> table, String row) {
        if (row == null) {
            return -1;
        }
        for (String line : table) {
            if (line.startsWith(row + " ")) {
                String[] fields = line.substring(row.length()).trim().split("\\s+");
                return fields.length < 2 || fields[1].equals("unlimited") ? -1 : Long.parseLong(fields[1]);
            }
        }
        return -1;
    }

    private static boolean canRaise() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << CAP_SYS_RESOURCE)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // then assume not
        }
        return false;
    }
}
