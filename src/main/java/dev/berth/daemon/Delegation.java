package dev.berth.daemon;

import dev.berth.state.BerthPaths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Delegation: while a supervisor runs for the same roots, {@code berth run}, {@code berth exec} and the
 * lifecycle verbs are done by it (its JVM is warm: picocli's model, the JSON mapper and the libc
 * bindings are ready) for the launcher's shell client, which only relays signals and waits for the exit
 * status ({@link ClientDoor}). This class decides, on the supervisor's side, whether a client's command
 * line can be done here; when not, the client runs it in a JVM of its own, as if no supervisor ran.
 */
public final class Delegation {
    /**
     * Verbs a supervisor can run for a client (the launcher hands over the same list). Those that
     * start a process relay the signals the client gets; for the others a signal ends the client as
     * usual (what the supervisor was doing for it, stopping a container say, goes on).
     */
    static final Set<String> VERBS = Set.of("run", "exec", "ps", "inspect", "port", "top", "rm", "stop",
            "start", "restart", "kill", "rename", "wait");
    /**
     * Signals berth passes on to the container's process (name → number on x86_64), from its own JVM or
     * relayed by a client to the supervisor; WINCH resizes the container's terminal instead.
     */
    public static final Map<String, Integer> FORWARDED_SIGNALS =
            Map.of("INT", 2, "TERM", 15, "HUP", 1, "USR1", 10, "WINCH", 28);

    /** The global options and the verb of a command line (picocli parses it all again later). */
    public record GlobalOptions(String root, String runRoot, String verb) {
        /** --root/--run-root (with their values, as one word or two) up to the first other word. */
        public static GlobalOptions of(String[] args) {
            return of(args, System.getenv());
        }

        /** As of(args), for a process whose environment is env. */
        static GlobalOptions of(String[] args, Map<String, String> env) {
            String root = env.getOrDefault("BERTH_ROOT", BerthPaths.DEFAULT_ROOT);
            String runRoot = env.getOrDefault("BERTH_RUN_ROOT", BerthPaths.DEFAULT_RUN_ROOT);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--root") || a.equals("--run-root")) {
                    String value = i + 1 < args.length ? args[++i] : null;
                    if (value != null && a.equals("--root")) {
                        root = value;
                    } else if (value != null) {
                        runRoot = value;
                    }
                } else if (a.startsWith("--root=")) {
                    root = a.substring("--root=".length());
                } else if (a.startsWith("--run-root=")) {
                    runRoot = a.substring("--run-root=".length());
                } else if (!a.startsWith("-")) {
                    return new GlobalOptions(root, runRoot, a);
                }
            }
            return new GlobalOptions(root, runRoot, null);
        }
    }

    private Delegation() {}

    /**
     * The client's command line as an invocation here (its streams taken), or Declined: another verb,
     * other roots, another mount namespace (its paths mean something else), @FILE arguments (picocli
     * reads them from its own working directory) or a setting of the environment that a supervisor
     * cannot take from a client.
     */
    static Invocation accept(List<String> argv, int pid, int pidfd, Consumer<IntConsumer> signals, BerthPaths own,
                             Function<Request, Response> supervisor) {
        Map<String, String> env = environment(pid);
        String[] args = argv.toArray(String[]::new);
        GlobalOptions options = GlobalOptions.of(args, env);
        String verb = options.verb();
        if (verb == null || !VERBS.contains(verb)) {
            throw new Invocation.Declined("not a verb for a supervisor: " + verb);
        }
        if (argv.stream().anyMatch(a -> a.startsWith("@"))) {
            throw new Invocation.Declined("@FILE arguments");
        }
        if (!own.equals(new BerthPaths(Path.of(options.root()), Path.of(options.runRoot())))) {
            throw new Invocation.Declined("other roots");
        }
        if (!sameMountNamespace(pid)) {
            throw new Invocation.Declined("another mount namespace");
        }
        for (String name : List.of("BERTH_CGROUP_PARENT", "BERTH_TRACE", "BERTH_DEBUG")) {
            if (!Objects.equals(System.getenv(name), env.get(name))) {
                throw new Invocation.Declined(name + " differs");
            }
        }
        Path cwd;
        try {
            cwd = Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"));
        } catch (IOException e) {
            throw new Invocation.Declined("cannot see the client's working directory");
        }
        return new Invocation(argv, env, cwd, pidfd, ClientDoor.STREAMS, own, supervisor, signals);
    }

    /** A process's environment, as it was given to it. */
    private static Map<String, String> environment(int pid) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
        } catch (IOException e) {
            throw new Invocation.Declined("cannot see the client's environment");
        }
        Map<String, String> env = new HashMap<>();
        for (String entry : ClientDoor.nulTerminated(bytes)) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                env.putIfAbsent(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return env;
    }

    private static boolean sameMountNamespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")));
        } catch (IOException e) {
            return false;
        }
    }
}
