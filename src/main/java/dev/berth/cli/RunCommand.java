package dev.berth.cli;

import dev.berth.api.Host;
import dev.berth.BerthException;
import dev.berth.Trace;
import dev.berth.api.Berth;
import dev.berth.api.Container;
import dev.berth.api.RunOptions;
import dev.berth.volume.MountRequest;
import dev.berth.volume.MountSyntax;
import dev.berth.image.BusyboxImage;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code berth run}: create a container, start it in the foreground, return its exit status. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a command in a new container.")
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rm", description = "Remove the container when it exits.")
    boolean autoRemove;

    @Option(names = {"-d", "--detach"}, description = "Run in the background under the supervisor; print the id.")
    boolean detach;

    @Option(names = "--restart", paramLabel = "POLICY", defaultValue = "no",
            description = "no, on-failure[:N], always or unless-stopped (detached containers).")
    String restart;

    @Option(names = {"-i", "--interactive"}, description = "Keep standard input open.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal.")
    boolean tty;

    @Option(names = "--name", description = "Assign a name to the container.")
    String name;

    @Option(names = "--hostname", description = "Container host name (default: the container's name).")
    String hostname;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]", description = "Set an environment variable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run as this user (name or uid).")
    String user;

    @Option(names = "--entrypoint", paramLabel = "COMMAND",
            description = "Run this instead of the image's entrypoint (\"\" for none).")
    String entrypoint;

    @Option(names = "--pull", paramLabel = "POLICY", defaultValue = "missing",
            description = "Pull the image: missing (default), always or never.")
    String pull;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pull.")
    String platform;

    @Option(names = {"-q", "--quiet"}, description = "Pull without printing progress.")
    boolean quiet;

    @Option(names = "--rootfs", paramLabel = "DIR",
            description = "Run a directory as the root filesystem instead of an image (left unchanged).")
    Path rootfs;

    @Option(names = "--network", paramLabel = "NETWORK", defaultValue = "berth0",
            description = "A network (default: ${DEFAULT-VALUE}, the default bridge; 'veth' for the tutorial's "
                    + "point-to-point pair), none (only lo), host, or container:NAME.")
    String network;

    @Option(names = "--ip", paramLabel = "ADDRESS", description = "A static IPv4 address on the network.")
    String ip;

    @Option(names = "--network-alias", paramLabel = "ALIAS",
            description = "Another name for the container in its network's DNS (user-defined networks).")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--read-only", description = "Mount the container's root filesystem read-only.")
    boolean readOnly;

    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOST:CONTAINER[/PROTO]",
            description = "Publish a container's port (or range) on the host.")
    List<String> publish = new ArrayList<>();

    @Option(names = "--stop-signal", paramLabel = "SIGNAL",
            description = "What berth stop sends first (default: the image's StopSignal, else TERM).")
    String stopSignal;

    @Option(names = {"-P", "--publish-all"}, description = "Publish every port the image exposes on a free host port.")
    boolean publishAll;

    @Option(names = "--dns", paramLabel = "ADDRESS", description = "A DNS server for the container.")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dns-search", paramLabel = "DOMAIN", description = "A DNS search domain.")
    List<String> dnsSearch = new ArrayList<>();

    @Option(names = "--dns-option", paramLabel = "OPTION", description = "A resolv.conf option.")
    List<String> dnsOptions = new ArrayList<>();

    @CommandLine.Mixin
    LimitOptions limits = new LimitOptions();

    @Option(names = "--oom-score-adj", paramLabel = "N", description = "The OOM killer's preference (-1000..1000).")
    Integer oomScoreAdj;

    @Option(names = "--add-host", paramLabel = "NAME:IP",
            description = "Add a line to /etc/hosts (IP may be host-gateway: the host's address on the network).")
    List<String> addHosts = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "[SOURCE:]TARGET[:OPTIONS]",
            description = "Mount a host path (absolute SOURCE, created when missing) or a named volume (made when "
                    + "missing; a bare TARGET: a new anonymous one). OPTIONS: ro, rw, nocopy, rprivate, rslave, rshared…")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--mount", paramLabel = "type=bind|volume|tmpfs,source=…,target=…[,readonly]",
            description = "Mount with Docker's key=value syntax (a bind's source must exist).")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "TARGET[:OPTIONS]", description = "Mount a tmpfs (e.g. /run:size=64m,mode=1777).")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = "--cap-add", paramLabel = "CAP", description = "Add a capability (NET_ADMIN, CAP_SYS_TIME…, or ALL).")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop a capability (or ALL).")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--privileged", description = "Every capability, /proc unmasked, /sys writable.")
    boolean privileged;

    @Option(names = "--security-opt", paramLabel = "OPTION",
            description = "seccomp=PROFILE.json|unconfined, no-new-privileges[=true|false], systempaths=unconfined.")
    List<String> securityOpt = new ArrayList<>();

    @Option(names = "--device", paramLabel = "HOST[:CONTAINER][:rwm]", description = "Give the container a host device.")
    List<String> devices = new ArrayList<>();

    @Option(names = "--group-add", paramLabel = "GROUP", description = "An additional group of the process (name or gid).")
    List<String> groupAdd = new ArrayList<>();

    @Option(names = "--sysctl", paramLabel = "KEY=VALUE", description = "A namespaced kernel setting (net.*, kernel.shm*, fs.mqueue.*…).")
    List<String> sysctls = new ArrayList<>();

    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "A resource limit (nofile=1024:2048; -1 is unlimited).")
    List<String> ulimits = new ArrayList<>();

    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label on the container.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--volumes-from", paramLabel = "CONTAINER[:ro|:rw]",
            description = "Mount the binds and volumes of another container.")
    List<String> volumesFrom = new ArrayList<>();

    @Parameters(paramLabel = "IMAGE [COMMAND [ARG...]]",
            description = "The image (omitted with --rootfs), then the command and its arguments.")
    List<String> positional = new ArrayList<>();

    /**
     * Docker's --pull: the built-in busybox is made from the host when missing; other images are pulled
     * when missing (or always), progress on standard error.
     */
    static void ensureImage(CommandLine.Model.CommandSpec spec, Berth berth, String image, String pull, String platform,
                            boolean quiet) {
        if (!List.of("missing", "always", "never").contains(pull)) {
            throw new BerthException("invalid --pull '" + pull + "': use missing, always or never");
        }
        boolean present = berth.hasImage(image);
        java.io.PrintWriter err = spec.commandLine().getErr();
        if (BusyboxImage.NAME.equals(image) && !present && !pull.equals("always")) {
            err.println("berth: creating the built-in busybox image from the host's busybox-static");
            err.flush();
            berth.ensureBusyboxImage();
        } else if (pull.equals("always") || !present && pull.equals("missing")) {
            if (!present && !quiet) {
                err.println("Unable to find image '" + image + "' locally");
                err.flush();
            }
            PullCommand.pull(spec, berth, image, platform, quiet, err);
        } else if (!present) {
            throw new BerthException("no such image: " + image + " (and --pull never)");
        }
    }

    /** -v, --mount and --tmpfs in Docker's syntax; a -v source starting with "." is relative to the caller's directory. */
    private List<MountRequest> mountRequests() {
        List<MountRequest> requests = new ArrayList<>();
        for (String volume : volumes) {
            int colon = volume.indexOf(':');
            if (volume.startsWith(".") && colon > 0) {
                volume = Main.absolute(spec, java.nio.file.Path.of(volume.substring(0, colon))).normalize() + volume.substring(colon);
            }
            requests.add(MountSyntax.volume(volume));
        }
        mounts.forEach(m -> requests.add(MountSyntax.mount(m)));
        tmpfs.forEach(t -> requests.add(MountSyntax.tmpfs(t)));
        return requests;
    }

    /** --security-opt with a seccomp profile's file read here, in the caller's directory (as Docker's CLI does). */
    private List<String> securityOptions() {
        List<String> options = new ArrayList<>();
        for (String option : securityOpt) {
            String value = option.startsWith("seccomp=") || option.startsWith("seccomp:") ? option.substring(8) : null;
            if (value == null || value.equals("unconfined") || value.stripLeading().startsWith("{")) {
                options.add(option);
                continue;
            }
            java.nio.file.Path file = Main.absolute(spec, java.nio.file.Path.of(value));
            try {
                options.add("seccomp=" + java.nio.file.Files.readString(file));
            } catch (java.io.IOException | RuntimeException e) {
                throw new BerthException("opening seccomp profile (" + file + ") failed: "
                        + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
            }
        }
        return options;
    }

    @Override
    public Integer call() throws Exception {
        String image = null;
        List<String> command = positional;
        if (rootfs == null) {
            if (positional.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "\"berth run\" requires an image");
            }
            image = positional.getFirst();
            command = positional.subList(1, positional.size());
        }
        if (oomScoreAdj != null && (oomScoreAdj < -1000 || oomScoreAdj > 1000)) {
            throw new BerthException("--oom-score-adj " + oomScoreAdj + " is out of range -1000..1000");
        }
        Trace.mark("parsed");
        Berth berth = Main.berth(spec);
        ContainerStarter.Stdio stdio = detach ? null : Main.stdio(spec, interactive, tty);
        if (tty && interactive && !detach && !Host.isTerminal(stdio.userIn())) {
            throw new BerthException("the input device is not a TTY");
        }
        if (image != null) {
            ensureImage(spec, berth, image, pull, platform, quiet);
        }
        RunOptions options = RunOptions.builder().image(image)
                .rootfs(rootfs == null ? null : Main.absolute(spec, rootfs).toString()).command(command).name(name)
                .hostname(hostname).env(withValues(env, Main.environment(spec))).workdir(workdir).user(user)
                .tty(tty).interactive(interactive).autoRemove(autoRemove).network(network).ip(ip).readOnly(readOnly)
                .publish(publish).publishAll(publishAll).dns(new RunOptions.Dns(dns, dnsSearch, dnsOptions)).addHosts(addHosts)
                .resources(limits.toSpec()).oomScoreAdj(oomScoreAdj).entrypoint(entrypoint).restart(restart).stopSignal(stopSignal).detach(detach).aliases(aliases)
                .mounts(mountRequests()).volumesFrom(volumesFrom).labels(labels(labels))
                .privileges(new RunOptions.Privileges(capAdd, capDrop, privileged, securityOptions(), groupAdd,
                        devices, dev.berth.api.Berth.sysctls(sysctls), ulimits))
                .build();
        if (Berth.resolvesContainerNames(options.network())) {
            // user-defined networks resolve container names through the supervisor's DNS server
            Lifecycle.ask(spec, dev.berth.daemon.Request.of("ping", null));
        }
        if (detach) {
            if (tty || interactive) {
                throw new BerthException("-d cannot be combined with -i or -t: berth has no attach yet");
            }
            dev.berth.api.RestartPolicy.parse(restart);
            String id = Lifecycle.ask(spec, new dev.berth.daemon.Request("run", options, null, null));
            spec.commandLine().getOut().println(id);
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (!restart.equals("no")) {
            throw new BerthException("--restart needs -d: only the supervisor can restart a container");
        }
        Container container = berth.create(options);
        Trace.mark("created");
        SignalForwarder signals = Main.signals(spec);
        ContainerProcess process = berth.start(container, stdio);
        Lifecycle.startSupervisorForNextRun(berth.paths()); // while this container runs: the next run is faster
        Integer exitCode = null;
        Trace.mark("started");
        try {
            signals.attach(process);
            if (process.terminal() != null) {
                process.terminal().attach(stdio.userIn(), stdio.userOut());
            }
            exitCode = process.waitFor();
            Trace.mark("exited");
            if (process.terminal() != null) {
                process.terminal().drain(2_000);
            }
            return exitCode;
        } finally {
            berth.finished(container, exitCode); // recorded while the process is still a zombie
            process.close();
            Trace.mark("finished");
        }
    }

    /**
     * -e KEY without a value takes the caller's value (Docker's rule), resolved here: the container may
     * be made by a supervisor whose own environment is not the caller's. Unset ones are left out.
     */
    static List<String> withValues(List<String> env, java.util.Map<String, String> callers) {
        List<String> resolved = new ArrayList<>();
        for (String e : env) {
            if (e.contains("=") || e.isEmpty()) {
                resolved.add(e);
            } else if (callers.containsKey(e)) {
                resolved.add(e + "=" + callers.get(e));
            }
        }
        return resolved;
    }

    /** KEY=VALUE labels (KEY alone: an empty value), the last one of a key winning, as Docker's. */
    static Map<String, String> labels(List<String> given) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (String label : given) {
            int eq = label.indexOf('=');
            labels.put(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
        }
        return labels;
    }
}
