package dev.berth.engine;

import dev.berth.api.Berth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /containers/{id}/stats} in Docker's shape: the CPU time of the container's group next to
 * the whole machine's (from /proc/stat), with the sample before it (precpu), so that clients compute
 * the CPU percentage as Docker's CLI does; memory usage and limit, pids, and its interface's traffic.
 */
final class DockerStats {
    /** One sample of the container and of the machine. */
    record Sample(Berth.ContainerStats container, long systemNanos, Instant read) {}

    private DockerStats() {}

    static Sample sample(Berth berth, dev.berth.state.ContainerRecord r) {
        return new Sample(berth.stats(r), systemNanos(), Instant.now());
    }

    static Map<String, Object> view(Sample now, Sample before) {
        Berth.ContainerStats s = now.container();
        int cpus = Runtime.getRuntime().availableProcessors();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("read", now.read().toString());
        view.put("preread", before == null ? "0001-01-01T00:00:00Z" : before.read().toString());
        view.put("id", s.id());
        view.put("name", "/" + s.name());
        view.put("pids_stats", Map.of("current", s.pids()));
        view.put("cpu_stats", cpu(now, cpus));
        view.put("precpu_stats", before == null ? Map.of("cpu_usage", Map.of("total_usage", 0), "online_cpus", cpus)
                : cpu(before, cpus));
        view.put("memory_stats", Map.of("usage", s.memoryBytes(), "limit", s.memoryLimitBytes() > 0
                ? s.memoryLimitBytes() : memTotal(), "stats", Map.of()));
        view.put("networks", Map.of("eth0", Map.of("rx_bytes", s.rxBytes(), "tx_bytes", s.txBytes(),
                "rx_packets", 0, "tx_packets", 0, "rx_errors", 0, "tx_errors", 0, "rx_dropped", 0, "tx_dropped", 0)));
        view.put("blkio_stats", Map.of("io_service_bytes_recursive", List.of()));
        view.put("num_procs", 0);
        return view;
    }

    private static Map<String, Object> cpu(Sample sample, int cpus) {
        return Map.of("cpu_usage", Map.of("total_usage", sample.container().cpuNanos(), "usage_in_kernelmode", 0,
                        "usage_in_usermode", 0),
                "system_cpu_usage", sample.systemNanos(), "online_cpus", cpus,
                "throttling_data", Map.of("periods", 0, "throttled_periods", 0, "throttled_time", 0));
    }

    /** All CPUs' time since boot (the first line of /proc/stat, in USER_HZ ticks of 10 ms), in nanoseconds. */
    static long systemNanos() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long ticks = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                ticks += Long.parseLong(fields[i]);
            }
            return ticks * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }
}
