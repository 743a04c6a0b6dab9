package dev.berth.oci;

import dev.berth.BerthException;
import dev.berth.json.Json;
import dev.berth.linux.Libc;
import dev.berth.runtime.ContainerProcess;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.ResourcesSpec;
import dev.berth.spec.Signals;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.berth.oci.RuncArgs.Flag.bool;
import static dev.berth.oci.RuncArgs.Flag.value;

/**
 * {@code berth-oci}: the OCI runtime command line, runc's verbs and flags, for engines (podman through
 * conmon, containerd through its runc shim, CRI-O) to run containers with berth. Errors are one line on
 * stderr, a JSON (or text) line in the {@code --log} file when one is given, and exit status 1.
 */
public final class OciCli {
    private static final List<RuncArgs.Flag> GLOBAL = List.of(value("root"), value("log"), value("log-format"),
            bool("debug"), bool("systemd-cgroup"), value("rootless"), value("criu"), bool("help", "h"),
            bool("version", "v"));

    /** A verb: its name, what it does (for --help), its flags, and how many positional arguments it takes. */
    private record Verb(String name, String usage, List<RuncArgs.Flag> flags, int minArgs, int maxArgs) {
        Verb {
            flags = new ArrayList<>(flags);
            flags.add(bool("help", "h"));
        }
    }

    private static final int MANY = Integer.MAX_VALUE;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final List<Verb> VERBS = List.of(
            new Verb("create", "[--bundle DIR] [--pid-file FILE] [--console-socket PATH] ID: create a container "
                    + "from a bundle; it waits for start", List.of(value("bundle", "b"), value("pid-file"),
                    value("console-socket"), bool("no-pivot"), bool("no-new-keyring"), value("preserve-fds")), 1, 1),
            new Verb("start", "ID: run a created container's command", List.of(), 1, 1),
            new Verb("state", "ID: the container's state, as the OCI runtime spec's JSON", List.of(), 1, 1),
            new Verb("kill", "[--all] ID [SIGNAL]: send a signal (default TERM) to the container's first process, "
                    + "or to all", List.of(bool("all", "a")), 1, 2),
            new Verb("delete", "[--force] ID: remove a container (--force: kill it first if it runs; no error if "
                    + "gone)", List.of(bool("force", "f")), 1, 1),
            new Verb("exec", "[--process FILE] [--detach] [--pid-file FILE] [--tty] [--console-socket PATH] ID "
                    + "[COMMAND...]: run a new process in a running container", List.of(value("process", "p"),
                    bool("detach", "d"), value("pid-file"), bool("tty", "t"), value("console-socket"), value("cwd"),
                    value("env", "e"), value("user", "u"), bool("no-new-privs"), value("preserve-fds")), 1, MANY),
            new Verb("ps", "[--format table|json] ID: the container's processes", List.of(value("format", "f")), 1, MANY),
            new Verb("list", "[--format table|json] [--quiet]: the containers under --root",
                    List.of(value("format", "f"), bool("quiet", "q")), 0, 0),
            new Verb("spec", "[--bundle DIR]: write a default config.json (busybox-style: sh, read-only root)",
                    List.of(value("bundle", "b"), bool("rootless")), 0, 0),
            new Verb("features", ": what this runtime supports (the runtime spec's features JSON)", List.of(), 0, 0),
            new Verb("pause", "ID: freeze every process of the container", List.of(), 1, 1),
            new Verb("resume", "ID: thaw a paused container", List.of(), 1, 1),
            new Verb("update", "[--resources FILE|-] [--memory N] [--cpu-shares N] ... ID: change a container's "
                    + "limits", List.of(value("resources", "r"), value("memory", "m"), value("memory-swap"),
                    value("memory-reservation"), value("cpu-shares"), value("cpu-quota"), value("cpu-period"),
                    value("cpuset-cpus"), value("pids-limit")), 1, 1),
            new Verb("run", "[--bundle DIR] [--pid-file FILE] [--console-socket PATH] [--detach] ID: create + start, "
                    + "then wait for the container (unless --detach) and delete it", List.of(value("bundle", "b"),
                    value("pid-file"), value("console-socket"), bool("detach", "d"), bool("no-pivot"),
                    bool("no-new-keyring")), 1, 1));

    /** Set once a create left its container's first process waiting (its spawner thread blocked in native code). */
    private static volatile boolean heldAContainer;

    private Path log;
    private String logFormat = "text";
    private boolean debug;

    private OciCli() {}

    public static void main(String[] args) {
        int status = execute(args);
        System.out.flush();
        System.err.flush();
        if (heldAContainer) {
            Libc.exitNow(status); // the JVM's exit would wait ~300 ms for the spawner thread, held in posix_spawn
        }
        Runtime.getRuntime().halt(status); // no shutdown hooks to run
    }

    /** Runs one command line; returns its exit status. */
    public static int execute(String... args) {
        OciCli cli = new OciCli();
        try {
            return cli.run(Arrays.asList(args));
        } catch (BerthException e) {
            cli.report("berth-oci: " + e.getMessage(), e);
            return OciException.EXIT;
        } catch (IOException | RuntimeException e) { // a bug or an unforeseen failure: still one line, status 1
            cli.report("berth-oci: " + e, e);
            return OciException.EXIT;
        }
    }

    private int run(List<String> args) throws IOException {
        RuncArgs global = RuncArgs.parse(args, GLOBAL, true);
        log = global.value("log") == null ? null : Path.of(global.value("log"));
        logFormat = global.value("log-format", "text");
        debug = global.isSet("debug");
        if (global.isSet("version")) {
            System.out.println(version());
            return 0;
        }
        List<String> rest = global.positionals();
        if (global.isSet("help") || rest.isEmpty() || rest.getFirst().equals("help")) {
            usage(System.out);
            return 0;
        }
        String name = rest.getFirst().equals("ls") ? "list" : rest.getFirst();
        Verb verb = VERBS.stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new OciException("no such command: " + name + " (berth-oci --help lists them)"));
        RuncArgs flags = RuncArgs.parse(rest.subList(1, rest.size()), verb.flags(), verb.name().equals("exec"));
        if (flags.isSet("help")) {
            System.out.println("Usage: berth-oci " + verb.name() + " " + verb.usage());
            return 0;
        }
        List<String> positionals = flags.positionals();
        if (positionals.size() < verb.minArgs() || positionals.size() > verb.maxArgs()) {
            throw new OciException("usage: berth-oci " + verb.name() + " " + verb.usage().substring(0, verb.usage().indexOf(':')).strip());
        }
        if (verb.name().equals("spec") || verb.name().equals("features")) { // need no root, touch no state
            return verb.name().equals("spec") ? spec(flags) : features();
        }
        OciRuntime runtime = runtime(global);
        String id = positionals.isEmpty() ? null : positionals.getFirst();
        return switch (verb.name()) {
            case "create" -> {
                refusePreservedFds(flags);
                heldAContainer = true;
                runtime.create(id, bundle(flags), path(flags.value("pid-file")), flags.value("console-socket"));
                yield 0;
            }
            case "run" -> run(runtime, id, flags);
            case "start" -> {
                runtime.start(id);
                yield 0;
            }
            case "state" -> {
                System.out.println(Json.render(runtime.state(id)));
                yield 0;
            }
            case "kill" -> {
                runtime.kill(id, signal(positionals.size() > 1 ? positionals.get(1) : "TERM"), flags.isSet("all"));
                yield 0;
            }
            case "delete" -> {
                runtime.delete(id, flags.isSet("force"));
                yield 0;
            }
            case "exec" -> { // ID [--] COMMAND...
                List<String> command = positionals.subList(1, positionals.size());
                yield exec(runtime, id, !command.isEmpty() && command.getFirst().equals("--")
                        ? command.subList(1, command.size()) : command, flags);
            }
            case "ps" -> ps(runtime, id, flags.value("format", "table"));
            case "list" -> list(runtime, flags.value("format", "table"), flags.isSet("quiet"));
            case "pause" -> {
                runtime.pause(id);
                yield 0;
            }
            case "resume" -> {
                runtime.resume(id);
                yield 0;
            }
            case "update" -> {
                runtime.update(id, resources(flags));
                yield 0;
            }
            default -> throw new IllegalStateException("verb without an action: " + verb.name());
        };
    }

    private static OciRuntime runtime(RuncArgs global) {
        if (global.isSet("systemd-cgroup")) {
            throw new OciException("--systemd-cgroup is not supported: berth-oci drives cgroupfs "
                    + "(podman: --cgroup-manager cgroupfs; containerd: SystemdCgroup = false)");
        }
        if ("true".equals(global.value("rootless"))) {
            throw new OciException("rootless containers are not supported by berth-oci");
        }
        if (dev.berth.linux.Procfs.effectiveUid() != 0) {
            throw new OciException("berth-oci must run as root");
        }
        return new OciRuntime(Path.of(global.value("root", "/run/berth-oci")));
    }

    private static int run(OciRuntime runtime, String id, RuncArgs flags) {
        boolean detach = flags.isSet("detach");
        // a container with a user namespace starts as a grandchild, handed to the nearest subreaper: be it
        Libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0);
        OciRuntime.Created created = runtime.create(id, bundle(flags), path(flags.value("pid-file")),
                flags.value("console-socket"));
        int pidfd = Libc.pidfdOpen(created.pid());
        try {
            runtime.start(id);
            if (detach) {
                return 0;
            }
            int[] status = Libc.waitPidfd(pidfd, 0);
            return status[0] == Libc.CLD_EXITED ? status[1] : 128 + status[1];
        } finally {
            Libc.closeQuietly(pidfd);
            if (!detach) {
                runtime.delete(id, true);
            }
        }
    }

    private static int exec(OciRuntime runtime, String id, List<String> command, RuncArgs flags) throws IOException {
        refusePreservedFds(flags);
        Libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0); // in a user namespace the process starts as a grandchild
        String processFile = flags.value("process");
        ProcessSpec spec = processFile != null ? processFromFile(Path.of(processFile))
                : processFromFlags(runtime, id, command, flags);
        ContainerProcess started = runtime.exec(id, spec, flags.value("console-socket"));
        Path pidFile = path(flags.value("pid-file"));
        if (pidFile != null) {
            OciRuntime.writeAtomically(pidFile, String.valueOf(started.pid()));
        }
        if (flags.isSet("detach")) {
            return 0;
        }
        try (started) {
            return started.waitFor();
        }
    }

    private static ProcessSpec processFromFile(Path file) throws IOException {
        try {
            return BundleConfig.process(Json.parseObject(Files.readString(file)), false);
        } catch (ClassCastException | NullPointerException | NumberFormatException e) {
            throw new OciException("invalid process file " + file + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new OciException("invalid JSON in process file " + file);
        }
    }

    /** A process from the command line: the container's own process settings, with the flags' changes. */
    private static ProcessSpec processFromFlags(OciRuntime runtime, String id, List<String> command, RuncArgs flags) {
        if (command.isEmpty()) {
            throw new OciException("exec needs --process FILE or a command");
        }
        ProcessSpec base = runtime.containerProcess(id);
        List<String> environment = new ArrayList<>(base.env());
        environment.addAll(flags.all("env"));
        ProcessSpec.User identity = base.user();
        String user = flags.value("user");
        if (user != null) {
            String[] ids = user.split(":", 2);
            try {
                identity = new ProcessSpec.User(Integer.parseInt(ids[0]),
                        ids.length > 1 ? Integer.parseInt(ids[1]) : 0, List.of());
            } catch (NumberFormatException e) {
                throw new OciException("--user takes numeric UID[:GID], not '" + user + "'");
            }
        }
        return new ProcessSpec(flags.isSet("tty"), identity, command, environment, flags.value("cwd", base.cwd()),
                base.capabilities(), flags.isSet("no-new-privs") || base.noNewPrivileges(), null, base.rlimits(),
                base.capabilitySets());
    }

    private static int ps(OciRuntime runtime, String id, String format) {
        List<Integer> pids = runtime.processes(id);
        if (format.equals("json")) {
            System.out.println(Json.renderCompact(pids));
            return 0;
        }
        System.out.println("PID    CMD");
        for (int pid : pids) {
            System.out.printf("%-6d %s%n", pid, commandLine(pid));
        }
        return 0;
    }

    private static String commandLine(int pid) {
        try {
            return dev.berth.linux.Procfs.read("/proc/" + pid + "/cmdline").replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static int list(OciRuntime runtime, String format, boolean quiet) {
        List<Map<String, Object>> all = runtime.list();
        if (format.equals("json")) {
            System.out.println(Json.render(all));
        } else if (quiet) {
            all.forEach(c -> System.out.println(c.get("id")));
        } else {
            System.out.printf("%-20s %-8s %-10s %-40s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
            for (Map<String, Object> c : all) {
                System.out.printf("%-20s %-8s %-10s %-40s %s%n", c.get("id"), c.get("pid"), c.get("status"),
                        c.get("bundle"), c.get("created"));
            }
        }
        return 0;
    }

    private static int spec(RuncArgs flags) throws IOException {
        if (flags.isSet("rootless")) {
            throw new OciException("rootless containers are not supported by berth-oci");
        }
        Path file = bundle(flags).resolve("config.json");
        if (Files.exists(file)) {
            throw new OciException("File " + file + " exists. Remove it first");
        }
        Files.writeString(file, resource("default-config.json"));
        return 0;
    }

    private static int features() throws IOException {
        System.out.print(resource("features.json"));
        return 0;
    }

    private static ResourcesSpec resources(RuncArgs flags) throws IOException {
        String resources = flags.value("resources");
        if (resources != null) {
            String json = resources.equals("-") ? readAll(System.in) : Files.readString(Path.of(resources));
            try {
                return BundleConfig.resources(Json.parseObject(json));
            } catch (RuntimeException e) {
                throw new OciException("invalid resources JSON: " + e.getMessage());
            }
        }
        Long cpuQuota = flags.number("cpu-quota");
        Long cpuPeriod = flags.number("cpu-period");
        return new ResourcesSpec(flags.number("memory"), flags.number("memory-swap"), flags.number("memory-reservation"),
                flags.number("cpu-shares"), cpuQuota, cpuQuota != null && cpuPeriod == null ? Long.valueOf(100_000) : cpuPeriod,
                flags.value("cpuset-cpus"), flags.number("pids-limit"));
    }

    private static int signal(String name) {
        try {
            return Signals.parse(name);
        } catch (BerthException e) {
            throw new OciException(e.getMessage());
        }
    }

    private static void refusePreservedFds(RuncArgs flags) {
        Long preserved = flags.number("preserve-fds");
        if (preserved != null && preserved != 0) {
            throw new OciException("--preserve-fds is not supported by berth-oci");
        }
    }

    private static Path bundle(RuncArgs flags) {
        return Path.of(flags.value("bundle", "."));
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(value);
    }

    private static void usage(PrintStream out) {
        out.println("Usage: berth-oci [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND ...");
        out.println("berth as an OCI runtime (runc's command line). Commands:");
        for (Verb verb : VERBS) {
            out.println("  " + verb.name() + " " + verb.usage());
        }
    }

    private static String version() {
        String version = OciCli.class.getPackage().getImplementationVersion();
        return "berth-oci version " + (version == null ? "dev" : version) + "\nspec: "
                + dev.berth.spec.ContainerSpec.OCI_VERSION;
    }

    /** One line on stderr and in the log file (JSON lines, which containerd reads back, or text). */
    private void report(String message, Throwable cause) {
        System.err.println(message);
        if (debug) {
            cause.printStackTrace();
        }
        System.err.flush();
        if (log == null) {
            return;
        }
        String plain = message.startsWith("berth-oci: ") ? message.substring("berth-oci: ".length()) : message;
        String line;
        if ("json".equals(logFormat)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("level", "error");
            entry.put("msg", plain);
            entry.put("time", Instant.now().toString());
            line = Json.renderCompact(entry);
        } else {
            line = "time=\"" + Instant.now() + "\" level=error msg=\"" + plain.replace("\"", "\\\"") + "\"";
        }
        try {
            Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // stderr has it
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = OciCli.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
