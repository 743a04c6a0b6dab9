package dev.berth.cli;

import dev.berth.api.Host;
import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.Trace;
import dev.berth.api.Berth;
import dev.berth.daemon.Delegation;
import dev.berth.daemon.Invocation;
import dev.berth.runtime.ContainerStarter;
import dev.berth.state.BerthPaths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code berth}: the command line. Errors reach the user as one line on stderr and an exit code
 * (Docker's convention): 125 for berth's own errors and bad input, 126/127 when the container's command
 * cannot be executed or found, otherwise the container's own exit status.
 */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A Linux container runtime: namespaces, overlay roots and cgroups, from Java.")
public final class Main implements Runnable {
    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:BERTH_ROOT:-" + BerthPaths.DEFAULT_ROOT + "}",
            description = "State root: images, container records (default: ${DEFAULT-VALUE}; env BERTH_ROOT).")
    Path root;

    @Option(names = "--run-root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:BERTH_RUN_ROOT:-" + BerthPaths.DEFAULT_RUN_ROOT + "}",
            description = "Runtime root: locks, namespace pins (default: ${DEFAULT-VALUE}; env BERTH_RUN_ROOT).")
    Path runRoot;

    @Option(names = "--explain", scope = ScopeType.INHERIT,
            description = "Print each kernel operation as the tutorial's equivalent command (ip netns add, ip link add…).")
    boolean explain;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The client this command line runs for, when a supervisor runs it (null: this JVM is the client). */
    private Invocation delegated;
    /** Why the supervisor gave a delegated command line back to its client, once it did. */
    private Invocation.Declined declined;

    /** Every verb that touches berth's state or the kernel needs root: one line and exit 125 otherwise. */
    static void requireRoot() {
        if (!Host.isRoot()) {
            throw new BerthException("berth must run as root (try: sudo berth ...)");
        }
    }

    Berth berth() {
        requireRoot();
        BerthPaths paths = new BerthPaths(root, runRoot);
        if (delegated != null && !paths.equals(delegated.paths())) {
            throw new Invocation.Declined("other roots");
        }
        PrintWriter err = spec.commandLine().getErr();
        Explain explainer = explain ? command -> {
            err.println("+ " + command);
            err.flush();
        } : Explain.NONE;
        return new Berth(paths, explainer);
    }

    static Berth berth(CommandLine.Model.CommandSpec spec) {
        return main(spec).berth();
    }

    private static Main main(CommandLine.Model.CommandSpec spec) {
        return (Main) spec.root().userObject();
    }

    /**
     * The standard streams a container's process gets: the client's (stdin only when interactive), or
     * the user's side of its terminal.
     */
    static ContainerStarter.Stdio stdio(CommandLine.Model.CommandSpec spec, boolean interactive, boolean terminal) {
        Invocation client = main(spec).delegated;
        if (client != null) {
            return client.stdio(interactive, terminal);
        }
        return ContainerStarter.Stdio.of(interactive ? ContainerStarter.Stdin.INHERIT : ContainerStarter.Stdin.NULL);
    }

    /** Passes the signals the client receives to a container's process once it is attached. */
    static SignalForwarder signals(CommandLine.Model.CommandSpec spec) {
        Invocation client = main(spec).delegated;
        if (client == null) {
            return SignalForwarder.ofThisProcess();
        }
        SignalForwarder forwarder = new SignalForwarder();
        client.onSignal(forwarder::deliver);
        return forwarder;
    }

    /** The client this command line runs for in a supervisor; null when this JVM is the client. */
    static Invocation delegated(CommandLine.Model.CommandSpec spec) {
        return main(spec).delegated;
    }

    /** The client's environment. */
    static Map<String, String> environment(CommandLine.Model.CommandSpec spec) {
        Invocation client = main(spec).delegated;
        return client != null ? client.env() : System.getenv();
    }

    /** A path the user gave, absolute: relative ones start at the client's working directory. */
    static Path absolute(CommandLine.Model.CommandSpec spec, Path path) {
        Invocation client = main(spec).delegated;
        return (client != null ? client.cwd().resolve(path) : path.toAbsolutePath()).normalize();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs a command line in this JVM ({@link Entry} hands over here when no supervisor runs it). */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals(AotTraining.FLAG)) {
            System.exit(AotTraining.run());
        }
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return execute(new Main(), args);
    }

    /**
     * Runs a client's command line in the supervisor (its JVM), with the client's streams, environment
     * and working directory; throws Declined when the client has to run it itself.
     */
    static int executeDelegated(Invocation client) {
        Main main = new Main();
        main.delegated = client;
        int exitCode = execute(main, client.argv().toArray(String[]::new), client.out(), client.err());
        if (main.declined != null) {
            throw main.declined;
        }
        return exitCode;
    }

    private static int execute(Main main, String[] args, PrintWriter... outAndErr) {
        Trace.mark("main");
        CommandLine cli = new CommandLine(main);
        addSubcommands(cli, verb(args));
        if (outAndErr.length == 2) {
            cli.setOut(outAndErr[0]);
            cli.setErr(outAndErr[1]);
        }
        Trace.mark("picocli model built");
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("berth: " + e.getMessage());
            err.println("See '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return BerthException.RUNTIME_ERROR;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof Invocation.Declined d) {
                main.declined = d;
                return BerthException.RUNTIME_ERROR;
            }
            c.getErr().println("berth: " + message(e));
            if (System.getenv("BERTH_DEBUG") != null) {
                e.printStackTrace(c.getErr());
            }
            return e instanceof BerthException be ? be.exitCode() : BerthException.RUNTIME_ERROR;
        });
        return cli.execute(args);
    }

    /** Every verb, in the order --help lists them; each is built only when it is used. */
    private static final Map<String, Supplier<Object>> VERBS = verbs();

    private static Map<String, Supplier<Object>> verbs() {
        Map<String, Supplier<Object>> verbs = new LinkedHashMap<>();
        verbs.put("run", RunCommand::new);
        verbs.put("image", ImageCommand::new);
        verbs.put("pull", PullCommand::new);
        verbs.put("images", ImageCommand.Ls::new);
        verbs.put("rmi", ImageCommand.Rm::new);
        verbs.put("load", ArchiveCommand.Load::new);
        verbs.put("save", ArchiveCommand.Save::new);
        verbs.put("login", LoginCommand::new);
        verbs.put("logout", LoginCommand.Logout::new);
        verbs.put("ps", PsCommand::new);
        verbs.put("rm", RmCommand::new);
        verbs.put("inspect", InspectCommand::new);
        verbs.put("network", NetworkCommand::new);
        verbs.put("volume", VolumeCommand::new);
        verbs.put("cp", CpCommand::new);
        verbs.put("gc", GcCommand::new);
        verbs.put("demo", DemoCommand::new);
        verbs.put("port", PortCommand::new);
        verbs.put("stats", StatsCommand::new);
        verbs.put("update", UpdateCommand::new);
        verbs.put("daemon", DaemonCommand::new);
        verbs.put("stop", StopCommand::new);
        verbs.put("start", StartCommand::new);
        verbs.put("restart", RestartCommand::new);
        verbs.put("kill", KillCommand::new);
        verbs.put("wait", WaitCommand::new);
        verbs.put("logs", LogsCommand::new);
        verbs.put("exec", ExecCommand::new);
        verbs.put("rename", RenameCommand::new);
        verbs.put("top", TopCommand::new);
        return verbs;
    }

    /**
     * Registers only the verb being run: picocli builds a command's model by reflection, and building
     * all of them would cost about as much as starting a container. Help and errors get them all.
     */
    static void addSubcommands(CommandLine cli, String verb) {
        VERBS.forEach((name, factory) -> {
            if (verb == null || !VERBS.containsKey(verb) || verb.equals(name)) {
                CommandLine sub = new CommandLine(factory.get());
                if (name.equals("run") || name.equals("exec")) {
                    sub.setStopAtPositional(true); // what follows the image is the container's command
                }
                cli.addSubcommand(name, sub);
            }
        });
    }

    /** The first argument that is not a global option or its value. */
    static String verb(String... args) {
        return Delegation.GlobalOptions.of(args).verb();
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.toString() : message;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"berth " + (version == null ? "(development build)" : version)
                    + " on Java " + Runtime.version() + ", Linux " + System.getProperty("os.version")};
        }
    }
}
