package dev.berth.cli;

import dev.berth.api.RunOptions;
import dev.berth.image.ImageRecord;
import dev.berth.linux.Libc;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Directories;
import dev.berth.state.Json;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The workload the launcher records a JDK AOT cache from ({@code -XX:AOTCacheOutput}): it loads and
 * links what a typical command needs (picocli's model of every verb, JSON records, the libc bindings)
 * without touching any state or running a container, so it needs no root.
 */
final class AotTraining {
    static final String FLAG = "--aot-training";

    private AotTraining() {}

    static int run() throws Exception {
        for (String[] args : List.of(new String[] {"run", "--rm", "-i", "-e", "A=B", "-w", "/", "busybox", "true"},
                new String[] {"ps", "-a"}, new String[] {"image", "ls"}, new String[] {"rm", "-f", "x"})) {
            CommandLine cli = new CommandLine(new Main());
            Main.addSubcommands(cli, null);
            cli.parseArgs(args);
        }
        ContainerRecord record = new ContainerRecord("0".repeat(64), "n", "busybox", "/", List.of("true"),
                "2026-01-01T00:00:00Z", ContainerRecord.Status.RUNNING, 1, 1, null, null, null, true, "none", null, List.of(), false, "no", 0, false, List.of());
        Json.parse(Json.render(record), ContainerRecord.class);
        Json.parse(Json.render(new ImageRecord("b", "t", "s", List.of("sh"), List.of(), "/")), ImageRecord.class);
        Json.render(RunOptions.of("busybox", List.of("true")));
        Libc.linkAll();
        if (Libc.geteuid() == 0) {
            runAContainer();
        }
        return 0;
    }

    /** As root, the real thing: a busybox container in throw-away roots, so its code paths are cached too. */
    private static void runAContainer() throws Exception {
        Path scratch = Files.createTempDirectory("berth-aot-training-");
        try {
            Main.execute("--root=" + scratch.resolve("root"), "--run-root=" + scratch.resolve("run"),
                    "run", "--rm", "--network", "none", "busybox", "true"); // no kernel object outlives it
        } finally {
            Directories.deleteTree(scratch);
        }
    }
}
