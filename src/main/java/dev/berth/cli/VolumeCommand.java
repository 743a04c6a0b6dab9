package dev.berth.cli;

import dev.berth.BerthException;
import dev.berth.api.Berth;
import dev.berth.engine.DockerViews;
import dev.berth.json.Json;
import dev.berth.volume.Volume;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth volume create|ls|inspect|rm|prune}, with Docker's output. */
@Command(name = "volume", mixinStandardHelpOptions = true, description = "Manage volumes.",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.Ls.class, VolumeCommand.Inspect.class,
                VolumeCommand.Rm.class, VolumeCommand.Prune.class})
final class VolumeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume (prints its name).")
    static final class Create implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label.")
        List<String> labels = new ArrayList<>();

        @Option(names = {"-d", "--driver"}, defaultValue = "local", description = "Only local.")
        String driver;

        @Parameters(arity = "0..1", paramLabel = "NAME", description = "Default: a fresh random name.")
        String name;

        @Override
        public void run() {
            if (!driver.equals("local")) {
                throw new BerthException("volume driver '" + driver + "' is not supported: only local");
            }
            spec.commandLine().getOut().println(Main.berth(spec).createVolume(name, RunCommand.labels(labels)).name());
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List volumes.")
    static final class Ls implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-q", "--quiet"}, description = "Only names.")
        boolean quiet;

        @Option(names = "--format", paramLabel = "json", description = "json: one JSON object per line.")
        String format;

        @Override
        public void run() {
            Berth berth = Main.berth(spec);
            List<Volume> volumes = berth.listVolumes();
            var out = spec.commandLine().getOut();
            if (quiet) {
                volumes.forEach(v -> out.println(v.name()));
            } else if ("json".equals(format)) {
                volumes.forEach(v -> out.println(Json.render(DockerViews.volume(berth, v)).replace("\n", "").replaceAll(" {2,}", " ")));
            } else if (format != null) {
                throw new BerthException("unsupported --format '" + format + "': use json");
            } else {
                Table table = new Table("DRIVER", "VOLUME NAME");
                volumes.forEach(v -> table.add("local", v.name()));
                table.print(out);
            }
            out.flush();
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show volumes as JSON.")
    static final class Inspect implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public void run() {
            Berth berth = Main.berth(spec);
            List<Map<String, Object>> views = names.stream().map(n -> DockerViews.volume(berth, berth.inspectVolume(n))).toList();
            spec.commandLine().getOut().println(Json.render(views));
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove volumes no container uses (exit 125, naming the users, otherwise).")
    static final class Rm implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-f", "--force"}, description = "No error for a volume that does not exist.")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public void run() {
            Berth berth = Main.berth(spec);
            for (String name : names) {
                if (force && berth.listVolumes().stream().noneMatch(v -> v.name().equals(name))) {
                    continue;
                }
                berth.removeVolume(name);
                spec.commandLine().getOut().println(name);
            }
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove unused anonymous volumes (all unused ones with -a).")
    static final class Prune implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-a", "--all"}, description = "Named volumes too.")
        boolean all;

        @Option(names = {"-f", "--force"}, description = "Do not ask (berth never asks).")
        boolean force;

        @Override
        public void run() {
            List<String> removed = Main.berth(spec).pruneVolumes(all);
            var out = spec.commandLine().getOut();
            if (!removed.isEmpty()) {
                out.println("Deleted Volumes:");
                removed.forEach(out::println);
                out.println();
            }
            out.println("Total reclaimed volumes: " + removed.size());
            out.flush();
        }
    }
}
