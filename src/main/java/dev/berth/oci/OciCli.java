package dev.berth.oci;

import dev.berth.BerthException;
import dev.berth.json.Json;
import dev.berth.linux.Libc;
import dev.berth.runtime.ContainerProcess;
import dev.berth.spec.ProcessSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code berth-oci}: the OCI runtime command line, runc's verbs and flags, for engines (podman through
 * conmon, containerd through its runc shim, CRI-O) to run containers with berth. Errors are one line on
 * stderr, a JSON (or text) line in the {@code --log} file when one is given, and exit status 1.
 */
@Command(name = "berth-oci", mixinStandardHelpOptions = true, versionProvider = OciCli.Version.class,
        description = "berth as an OCI runtime (runc's command line).",
        subcommands = {OciCli.Create.class, OciCli.Start.class, OciCli.State.class, OciCli.Kill.class,
                OciCli.Delete.class, OciCli.ExecCommand.class, OciCli.Ps.class, OciCli.ListCommand.class,
                OciCli.SpecCommand.class, OciCli.Features.class, OciCli.Pause.class, OciCli.Resume.class,
                OciCli.Update.class, OciCli.Run.class})
public final class OciCli implements Runnable {
    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR", defaultValue = "/run/berth-oci",
            description = "Where container state is kept (default: ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = "--log", scope = ScopeType.INHERIT, paramLabel = "FILE", description = "Append errors to FILE.")
    Path log;

    @Option(names = "--log-format", scope = ScopeType.INHERIT, defaultValue = "text", paramLabel = "text|json")
    String logFormat;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Log debug messages too.")
    boolean debug;

    @Option(names = "--systemd-cgroup", scope = ScopeType.INHERIT,
            description = "Refused: berth-oci drives cgroupfs; configure the engine's cgroupfs manager.")
    boolean systemdCgroup;

    @Option(names = "--rootless", arity = "0..1", paramLabel = "true|false|auto")
    String rootless;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        OciCli main = new OciCli();
        CommandLine cli = new CommandLine(main);
        cli.setParameterExceptionHandler((e, a) -> {
            main.report("berth-oci: " + e.getMessage());
            return OciException.EXIT;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            String message = e instanceof BerthException ? e.getMessage() : e.toString();
            main.report("berth-oci: " + message);
            if (main.debug) {
                e.printStackTrace();
            }
            return OciException.EXIT;
        });
        return cli.execute(args);
    }

    /** One line on stderr and in the log file (JSON lines, which containerd reads back, or text). */
    private void report(String message) {
        System.err.println(message);
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

    OciRuntime runtime() {
        if (systemdCgroup) {
            throw new OciException("--systemd-cgroup is not supported: berth-oci drives cgroupfs "
                    + "(podman: --cgroup-manager cgroupfs; containerd: SystemdCgroup = false)");
        }
        if (rootless != null && rootless.equals("true")) {
            throw new OciException("rootless containers are not supported by berth-oci");
        }
        if (Libc.geteuid() != 0) {
            throw new OciException("berth-oci must run as root");
        }
        return new OciRuntime(root);
    }

    static OciRuntime runtime(CommandLine.Model.CommandSpec spec) {
        return ((OciCli) spec.root().userObject()).runtime();
    }

    /** Base of the verbs: its command spec, and a way to print. */
    abstract static class Verb implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        OciRuntime runtime() {
            return OciCli.runtime(spec);
        }
    }

    @Command(name = "create", description = "Create a container from a bundle; it waits for start.")
    static final class Create extends Verb {
        @Option(names = {"--bundle", "-b"}, defaultValue = ".", paramLabel = "DIR") Path bundle;
        @Option(names = "--pid-file", paramLabel = "FILE") Path pidFile;
        @Option(names = "--console-socket", paramLabel = "PATH") String consoleSocket;
        @Option(names = "--no-pivot", description = "Accepted; berth always uses pivot_root.") boolean noPivot;
        @Option(names = "--no-new-keyring", description = "Accepted; berth creates no session keyring.") boolean noNewKeyring;
        @Option(names = "--preserve-fds", defaultValue = "0") int preserveFds;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            if (preserveFds != 0) {
                throw new OciException("--preserve-fds is not supported by berth-oci");
            }
            runtime().create(id, bundle, pidFile, consoleSocket);
            return 0;
        }
    }

    @Command(name = "run", description = "create + start, then wait for the container (unless --detach) and delete it.")
    static final class Run extends Verb {
        @Option(names = {"--bundle", "-b"}, defaultValue = ".", paramLabel = "DIR") Path bundle;
        @Option(names = "--pid-file", paramLabel = "FILE") Path pidFile;
        @Option(names = "--console-socket", paramLabel = "PATH") String consoleSocket;
        @Option(names = {"--detach", "-d"}) boolean detach;
        @Option(names = "--no-pivot") boolean noPivot;
        @Option(names = "--no-new-keyring") boolean noNewKeyring;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            OciRuntime runtime = runtime();
            OciRuntime.Created created = runtime.create(id, bundle, pidFile, consoleSocket);
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
    }

    @Command(name = "start", description = "Run a created container's command.")
    static final class Start extends Verb {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            runtime().start(id);
            return 0;
        }
    }

    @Command(name = "state", description = "The container's state, as the OCI runtime spec's JSON.")
    static final class State extends Verb {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            System.out.println(Json.render(runtime().state(id)));
            return 0;
        }
    }

    @Command(name = "kill", description = "Send a signal (default TERM) to the container's first process, or to all with --all.")
    static final class Kill extends Verb {
        @Option(names = {"--all", "-a"}) boolean all;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1", arity = "0..1", defaultValue = "TERM", paramLabel = "SIGNAL") String signal;

        @Override
        public Integer call() {
            int number;
            try {
                number = dev.berth.spec.Signals.parse(signal);
            } catch (BerthException e) {
                throw new OciException(e.getMessage());
            }
            runtime().kill(id, number, all);
            return 0;
        }
    }

    @Command(name = "delete", description = "Remove a container (--force: kill it first if it runs; no error if gone).")
    static final class Delete extends Verb {
        @Option(names = {"--force", "-f"}) boolean force;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            runtime().delete(id, force);
            return 0;
        }
    }

    @Command(name = "exec", description = "Run a new process in a running container.")
    static final class ExecCommand extends Verb {
        @Option(names = {"--process", "-p"}, paramLabel = "FILE", description = "The process as OCI process JSON.") Path process;
        @Option(names = {"--detach", "-d"}) boolean detach;
        @Option(names = "--pid-file", paramLabel = "FILE") Path pidFile;
        @Option(names = {"--tty", "-t"}) boolean tty;
        @Option(names = "--console-socket", paramLabel = "PATH") String consoleSocket;
        @Option(names = "--cwd", paramLabel = "DIR") String cwd;
        @Option(names = {"--env", "-e"}, paramLabel = "KEY=VALUE") List<String> env = new ArrayList<>();
        @Option(names = {"--user", "-u"}, paramLabel = "UID[:GID]") String user;
        @Option(names = "--no-new-privs") boolean noNewPrivs;
        @Option(names = "--preserve-fds", defaultValue = "0") int preserveFds;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1..*", paramLabel = "COMMAND") List<String> command = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            if (preserveFds != 0) {
                throw new OciException("--preserve-fds is not supported by berth-oci");
            }
            OciRuntime runtime = runtime();
            ProcessSpec spec = process != null ? fromFile(process) : fromFlags(runtime);
            ContainerProcess started = runtime.exec(id, spec, consoleSocket);
            if (pidFile != null) {
                OciRuntime.writeAtomically(pidFile, String.valueOf(started.pid()));
            }
            if (detach) {
                return 0;
            }
            try (started) {
                return started.waitFor();
            }
        }

        private static ProcessSpec fromFile(Path file) throws IOException {
            try {
                return BundleConfig.process(Json.parseObject(Files.readString(file)), false);
            } catch (ClassCastException | NullPointerException | NumberFormatException e) {
                throw new OciException("invalid process file " + file + ": " + e.getMessage());
            } catch (java.io.UncheckedIOException e) {
                throw new OciException("invalid JSON in process file " + file);
            }
        }

        /** A process from the command line: the container's own process settings, with the flags' changes. */
        private ProcessSpec fromFlags(OciRuntime runtime) {
            if (command.isEmpty()) {
                throw new OciException("exec needs --process FILE or a command");
            }
            ProcessSpec base = runtime.containerProcess(id);
            List<String> environment = new ArrayList<>(base.env());
            environment.addAll(env);
            ProcessSpec.User identity = base.user();
            if (user != null) {
                String[] ids = user.split(":", 2);
                try {
                    identity = new ProcessSpec.User(Integer.parseInt(ids[0]),
                            ids.length > 1 ? Integer.parseInt(ids[1]) : 0, List.of());
                } catch (NumberFormatException e) {
                    throw new OciException("--user takes numeric UID[:GID], not '" + user + "'");
                }
            }
            return new ProcessSpec(tty, identity, command, environment, cwd != null ? cwd : base.cwd(),
                    base.capabilities(), noNewPrivs || base.noNewPrivileges(), null, base.rlimits(), base.capabilitySets());
        }
    }

    @Command(name = "ps", description = "The container's processes (pids with --format json).")
    static final class Ps extends Verb {
        @Option(names = {"--format", "-f"}, defaultValue = "table") String format;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            List<Integer> pids = runtime().processes(id);
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
    }

    @Command(name = "list", aliases = "ls", description = "The containers under --root.")
    static final class ListCommand extends Verb {
        @Option(names = {"--format", "-f"}, defaultValue = "table") String format;
        @Option(names = {"--quiet", "-q"}) boolean quiet;

        @Override
        public Integer call() {
            List<Map<String, Object>> all = runtime().list();
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
    }

    @Command(name = "spec", description = "Write a default config.json (busybox-style: sh, read-only root) to the bundle.")
    static final class SpecCommand extends Verb {
        @Option(names = {"--bundle", "-b"}, defaultValue = ".", paramLabel = "DIR") Path bundle;
        @Option(names = "--rootless") boolean rootless;

        @Override
        public Integer call() throws IOException {
            if (rootless) {
                throw new OciException("rootless containers are not supported by berth-oci");
            }
            Path file = bundle.resolve("config.json");
            if (Files.exists(file)) {
                throw new OciException("File " + file + " exists. Remove it first");
            }
            Files.writeString(file, resource("default-config.json"));
            return 0;
        }
    }

    @Command(name = "features", description = "What this runtime supports (the runtime spec's features JSON).")
    static final class Features extends Verb {
        @Override
        public Integer call() throws IOException {
            System.out.print(resource("features.json"));
            return 0;
        }
    }

    @Command(name = "pause", description = "Freeze every process of the container.")
    static final class Pause extends Verb {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            runtime().pause(id);
            return 0;
        }
    }

    @Command(name = "resume", description = "Thaw a paused container.")
    static final class Resume extends Verb {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            runtime().resume(id);
            return 0;
        }
    }

    @Command(name = "update", description = "Change a container's limits (OCI linux.resources JSON, or flags).")
    static final class Update extends Verb {
        @Option(names = {"--resources", "-r"}, paramLabel = "FILE|-") String resources;
        @Option(names = {"--memory", "-m"}) Long memory;
        @Option(names = "--memory-swap") Long memorySwap;
        @Option(names = "--memory-reservation") Long memoryReservation;
        @Option(names = "--cpu-shares") Long cpuShares;
        @Option(names = "--cpu-quota") Long cpuQuota;
        @Option(names = "--cpu-period") Long cpuPeriod;
        @Option(names = "--cpuset-cpus") String cpusetCpus;
        @Option(names = "--pids-limit") Long pidsLimit;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws IOException {
            dev.berth.spec.ResourcesSpec spec;
            if (resources != null) {
                String json = resources.equals("-") ? readAll(System.in) : Files.readString(Path.of(resources));
                try {
                    spec = BundleConfig.resources(Json.parseObject(json));
                } catch (RuntimeException e) {
                    throw new OciException("invalid resources JSON: " + e.getMessage());
                }
            } else {
                spec = new dev.berth.spec.ResourcesSpec(memory, memorySwap, memoryReservation, cpuShares, cpuQuota,
                        cpuQuota != null && cpuPeriod == null ? Long.valueOf(100_000) : cpuPeriod, cpusetCpus, pidsLimit);
            }
            runtime().update(id, spec);
            return 0;
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = OciCli.class.getPackage().getImplementationVersion();
            return new String[] {"berth-oci version " + (version == null ? "dev" : version),
                    "spec: " + dev.berth.spec.ContainerSpec.OCI_VERSION};
        }
    }
}
