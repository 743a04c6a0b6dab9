package dev.berth.cli;

import dev.berth.api.Berth;
import dev.berth.state.ContainerRecord;
import dev.berth.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth stats}: CPU, memory, processes and network traffic of running containers. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show the resource usage of running containers (refreshed every second unless --no-stream).")
final class StatsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--no-stream", description = "Print one sample and exit.")
    boolean noStream;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.")
    String format = "table";

    @Parameters(arity = "0..*", paramLabel = "CONTAINER", description = "Default: every running container.")
    List<String> names = List.of();

    @Override
    public void run() {
        Berth berth = Main.berth(spec);
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Berth.ContainerStats> previous = sample(berth);
        long previousNanos = System.nanoTime();
        int rounds = 0;
        do {
            sleep(noStream ? 500 : 1000); // CPU % needs two samples
            Map<String, Berth.ContainerStats> now = sample(berth);
            long nowNanos = System.nanoTime();
            if (!noStream && format.equals("table")) {
                out.print("\u001b[2J\u001b[H");
            }
            print(out, previous, now, nowNanos - previousNanos);
            previous = now;
            previousNanos = nowNanos;
        } while (!noStream && ++rounds < Integer.MAX_VALUE);
    }

    private Map<String, Berth.ContainerStats> sample(Berth berth) {
        Map<String, Berth.ContainerStats> stats = new LinkedHashMap<>();
        for (ContainerRecord r : berth.containers()) {
            if (r.status() == ContainerRecord.Status.RUNNING
                    && (names.isEmpty() || names.contains(r.name()) || names.stream().anyMatch(r.id()::startsWith))) {
                stats.put(r.id(), berth.stats(r));
            }
        }
        return stats;
    }

    private void print(PrintWriter out, Map<String, Berth.ContainerStats> before, Map<String, Berth.ContainerStats> now,
                       long elapsedNanos) {
        Table table = new Table("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "PIDS", "NET I/O");
        List<Map<String, Object>> json = new java.util.ArrayList<>();
        for (Berth.ContainerStats s : now.values()) {
            Berth.ContainerStats b = before.getOrDefault(s.id(), s);
            double cpu = 100.0 * (s.cpuNanos() - b.cpuNanos()) / Math.max(1, elapsedNanos);
            table.add(s.id().substring(0, 12), s.name(), String.format("%.2f%%", cpu),
                    size(s.memoryBytes()) + " / " + (s.memoryLimitBytes() == 0 ? "unlimited" : size(s.memoryLimitBytes())),
                    String.valueOf(s.pids()), size(s.rxBytes()) + " / " + size(s.txBytes()));
            Map<String, Object> row = new HashMap<>();
            row.put("ID", s.id());
            row.put("Name", s.name());
            row.put("CPUPerc", Math.round(cpu * 100) / 100.0);
            row.put("MemUsage", s.memoryBytes());
            row.put("MemLimit", s.memoryLimitBytes());
            row.put("PIDs", s.pids());
            row.put("NetRx", s.rxBytes());
            row.put("NetTx", s.txBytes());
            json.add(row);
        }
        if (format.equals("json")) {
            out.println(Json.render(json));
            out.flush();
        } else {
            table.print(out);
        }
    }

    static String size(long bytes) {
        return Table.size(bytes, 1024);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
