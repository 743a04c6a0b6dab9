package dev.berth.cli;

import dev.berth.BerthException;
import dev.berth.api.Berth;
import dev.berth.daemon.Invocation;
import dev.berth.daemon.Request;
import dev.berth.daemon.Response;
import dev.berth.daemon.SupervisorClient;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the lifecycle verbs share: asking the supervisor, and turning its answer into an error. */
final class Lifecycle {
    private Lifecycle() {}

    static BerthPaths paths(CommandLine.Model.CommandSpec spec) {
        Main main = (Main) spec.root().userObject();
        return new BerthPaths(main.root, main.runRoot);
    }

    static String ask(CommandLine.Model.CommandSpec spec, Request request) {
        BerthPaths paths = paths(spec);
        Invocation client = Main.delegated(spec);
        Response r = client != null ? client.ask(request) : SupervisorClient.call(paths, request, supervisorCommand(paths));
        if (!r.ok()) {
            throw new BerthException(r.exitCode(), r.error(), null);
        }
        return r.id();
    }

    /**
     * The command line of a new supervisor: this JVM's java and jar, with the launcher's AOT cache when
     * it is there and not older than the jar (it halves the supervisor's start).
     */
    private static List<String> supervisorCommand(BerthPaths paths) {
        String classPath = System.getProperty("java.class.path");
        // a small young generation: each command it runs leaves garbage behind, and a large eden would
        // all be touched (resident) between collections, which here take well under a millisecond
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xms16m", "-Xmn8m", "-XX:MaxHeapFreeRatio=40", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData", "-Xss1m"));
        Path jar = Path.of(classPath).toAbsolutePath();
        Path cache = jar.resolveSibling("berth.aot");
        try {
            if (Files.isRegularFile(cache) && !Files.getLastModifiedTime(cache).toInstant()
                    .isBefore(Files.getLastModifiedTime(jar).toInstant())) {
                command.addAll(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"));
            }
        } catch (IOException e) {
            // no cache, then
        }
        String options = System.getenv("BERTH_JAVA_OPTIONS"); // as the launcher gives its JVMs
        if (options != null && !options.isBlank()) {
            command.addAll(List.of(options.strip().split("\\s+")));
        }
        command.addAll(List.of("-cp", classPath, Main.class.getName(), "--root=" + paths.root(),
                "--run-root=" + paths.runRoot(), "daemon"));
        return command;
    }

    /** Off for runs that must leave no process behind (the AOT training). */
    static volatile boolean autoSupervisor = true;

    /** How long a supervisor started for a foreground run waits with nothing to do before it exits. */
    static final long DEFAULT_IDLE_EXIT_SECONDS = 600;

    /**
     * After a foreground run in its own JVM, a supervisor for the next one: started in the background
     * (never waited for), exiting once idle for BERTH_SUPERVISOR_IDLE seconds (600). Not with
     * BERTH_NO_DELEGATION or BERTH_AUTO_SUPERVISOR=0, nor when one runs already.
     */
    static void startSupervisorForNextRun(BerthPaths paths) {
        Map<String, String> env = System.getenv();
        if (!autoSupervisor || env.containsKey("BERTH_NO_DELEGATION") || "0".equals(env.get("BERTH_AUTO_SUPERVISOR"))
                || Files.exists(paths.supervisorSocket())) {
            return;
        }
        long idle = DEFAULT_IDLE_EXIT_SECONDS;
        try {
            idle = Long.parseLong(env.getOrDefault("BERTH_SUPERVISOR_IDLE", String.valueOf(idle)).strip());
        } catch (NumberFormatException e) {
            // the default, then
        }
        List<String> command = new ArrayList<>(supervisorCommand(paths));
        command.addAll(List.of("--idle-exit", String.valueOf(Math.max(1, idle))));
        try {
            Files.createDirectories(paths.runRoot());
            new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.supervisorLog().toFile()))
                    .redirectErrorStream(true).start();
        } catch (IOException | RuntimeException e) {
            // only an optimisation for the next run
        }
    }

    /** Stops a container: through the supervisor when it is its parent, directly otherwise. */
    static void stop(CommandLine.Model.CommandSpec spec, Berth berth, String name, int timeout) {
        ContainerRecord r = berth.inspect(name);
        if (r.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("container " + r.name() + " is not running");
        }
        if (r.detached()) {
            ask(spec, new Request("stop", null, r.id(), timeout));
        } else {
            berth.stop(r.id(), timeout);
        }
    }
}
