package dev.berth.cli;

import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** {@code berth ps}: list containers. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List containers (running ones unless -a).")
final class PsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-a", "--all"}, description = "Show all containers, not only running ones.")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Only print container ids.")
    boolean quiet;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.")
    String format = "table";

    @Override
    public void run() {
        List<ContainerRecord> records = Main.berth(spec).containers().stream()
                .filter(r -> all || r.status() == ContainerRecord.Status.RUNNING).toList();
        if (quiet) {
            records.forEach(r -> spec.commandLine().getOut().println(r.shortId()));
            spec.commandLine().getOut().flush();
            return;
        }
        if (format.equals("json")) {
            spec.commandLine().getOut().println(dev.berth.json.Json.render(records.stream().map(InspectCommand::view).toList()));
            spec.commandLine().getOut().flush();
            return;
        }
        Table table = new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "ADDRESS", "PORTS", "NAMES");
        for (ContainerRecord r : records) {
            table.add(r.shortId(), r.image() == null ? r.rootfs() : r.image(), quoted(r.command()),
                    Table.ago(r.created()), status(r),
                    r.attachment() == null || r.status() != ContainerRecord.Status.RUNNING ? "" : r.attachment().ipAddress(),
                    String.join(", ", r.ports().stream().map(p -> (p.hostIp() == null ? "0.0.0.0" : p.hostIp()) + ":"
                            + p.hostPort() + "->" + p.containerPort() + "/" + p.protocol()).toList()),
                    r.name());
        }
        table.print(spec.commandLine().getOut());
    }

    private static String quoted(List<String> command) {
        String joined = String.join(" ", command);
        return "\"" + (joined.length() > 20 ? joined.substring(0, 19) + "…" : joined) + "\"";
    }

    static String status(ContainerRecord r) {
        return switch (r.status()) {
            case CREATED -> "Created";
            case RUNNING -> "Up " + Table.duration(Duration.between(Instant.parse(r.startedAt()), Instant.now()));
            case EXITED -> "Exited (" + (r.exitCode() == null ? "unknown" : r.exitCode()) + ") "
                    + (r.finishedAt() == null ? "" : Table.ago(r.finishedAt()));
        };
    }
}
