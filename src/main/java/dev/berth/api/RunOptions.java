package dev.berth.api;

import dev.berth.spec.NetworkMode;
import dev.berth.spec.ResourcesSpec;
import dev.berth.volume.MountRequest;

import java.util.List;

/**
 * What a user asks of {@code berth run}, before it is checked and converted into a container spec. Built
 * with {@link #builder}; travels as JSON to the supervisor for {@code run -d}.
 *
 * @param image   an image name, or null when {@code rootfs} is given
 * @param rootfs  an absolute directory to run as the container's root (the seed's my_container), or null
 * @param command the command and its arguments; empty for the image's default
 * @param labels  --label KEY=VALUE, kept in the container's record
 */
public record RunOptions(
        String image,
        String rootfs,
        List<String> command,
        String name,
        Process process,
        Network network,
        ResourcesSpec resources,
        Lifecycle lifecycle,
        Storage storage,
        java.util.Map<String, String> labels,
        Privileges privileges) {

    public RunOptions {
        command = List.copyOf(command);
        labels = labels == null ? java.util.Map.of() : java.util.Map.copyOf(labels);
        privileges = privileges == null ? Privileges.DEFAULT : privileges;
        storage = storage == null ? Storage.NONE : storage;
    }

    /**
     * What it may do beyond Docker's defaults: --cap-add, --cap-drop (names with or without CAP_, ALL),
     * --privileged (every capability, every host device, no seccomp filter, /proc unmasked, /sys writable),
     * --security-opt (seccomp=unconfined or a profile's JSON, no-new-privileges[=true|false]), --group-add,
     * --device HOST[:CONTAINER[:rwm]], --sysctl KEY=VALUE and --ulimit NAME=SOFT[:HARD].
     */
    public record Privileges(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpt,
                             List<String> groupAdd, List<String> devices, java.util.Map<String, String> sysctls,
                             List<String> ulimits) {
        public static final Privileges DEFAULT = new Privileges(List.of(), List.of(), false);

        public Privileges {
            capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
            capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
            securityOpt = securityOpt == null ? List.of() : List.copyOf(securityOpt);
            groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
            devices = devices == null ? List.of() : List.copyOf(devices);
            sysctls = sysctls == null ? java.util.Map.of() : java.util.Map.copyOf(sysctls);
            ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
        }

        public Privileges(List<String> capAdd, List<String> capDrop, boolean privileged) {
            this(capAdd, capDrop, privileged, List.of(), List.of(), List.of(), java.util.Map.of(), List.of());
        }
    }

    /**
     * What is mounted into it: -v, --mount and --tmpfs (parsed by {@link dev.berth.volume.MountSyntax}),
     * and --volumes-from CONTAINER[:ro|:rw].
     */
    public record Storage(List<MountRequest> mounts, List<String> volumesFrom) {
        public static final Storage NONE = new Storage(List.of(), List.of());

        public Storage {
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
            volumesFrom = volumesFrom == null ? List.of() : List.copyOf(volumesFrom);
        }
    }

    /**
     * The first process: -e, -w, -u, -t, -i, -h, --read-only (its root), --oom-score-adj.
     *
     * @param oomScoreAdj null to inherit berth's
     */
    /** @param entrypoint --entrypoint: null for the image's, "" for none */
    public record Process(String hostname, List<String> env, String workdir, String user, boolean tty,
                          boolean interactive, boolean readOnly, Integer oomScoreAdj, String entrypoint) {
        public Process {
            env = List.copyOf(env);
        }
    }

    /**
     * Where it lives on the network.
     *
     * @param mode     "none" (own namespace, only lo), "host", "container:NAME", or a network's name
     * @param ip       a static address on that network, or null for the next free one
     * @param publish  -p specs: [hostIP:]hostPort:containerPort[/protocol]
     * @param dns      resolv.conf overrides (--dns, --dns-search, --dns-option), empty for the host's
     * @param addHosts --add-host NAME:IP entries (IP may be host-gateway)
     * @param aliases  --network-alias names in the network's DNS
     * @param publishAll -P: the image's exposed ports too, each on a free host port
     */
    public record Network(String mode, String ip, List<String> publish, Dns dns, List<String> addHosts,
                          List<String> aliases, boolean publishAll) {
        public Network {
            publish = List.copyOf(publish);
            addHosts = List.copyOf(addHosts);
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }

        /** The mode, parsed (a bad one is a clear error). */
        public NetworkMode parsedMode() {
            try {
                return NetworkMode.parse(mode);
            } catch (IllegalArgumentException e) {
                throw new dev.berth.BerthException(e.getMessage());
            }
        }
    }

    /** --dns, --dns-search, --dns-option. */
    public record Dns(List<String> servers, List<String> search, List<String> options) {
        public static final Dns HOST = new Dns(List.of(), List.of(), List.of());

        public Dns {
            for (String server : servers) {
                try {
                    java.net.InetAddress.ofLiteral(server);
                } catch (IllegalArgumentException e) {
                    throw new dev.berth.BerthException("invalid --dns '" + Names.printable(server)
                            + "': expected an IP address");
                }
            }
            servers = List.copyOf(servers);
            search = List.copyOf(search);
            options = List.copyOf(options);
        }
    }

    /**
     * @param restart the restart policy: no, on-failure[:N], always, unless-stopped
     * @param detach  started by the supervisor, in the background
     */
    /** @param stopSignal --stop-signal, or null for the image's StopSignal (or SIGTERM) */
    public record Lifecycle(boolean autoRemove, String restart, boolean detach, String stopSignal) {}

    /** The options of {@code berth run IMAGE COMMAND...} with everything else at its default. */
    public static RunOptions of(String image, List<String> command) {
        return builder().image(image).command(command).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every option at the default of {@code berth run}, but --network none. */
    public static final class Builder {
        private String image;
        private String rootfs;
        private List<String> command = List.of();
        private String name;
        private String hostname;
        private List<String> env = List.of();
        private String workdir;
        private String user;
        private boolean tty;
        private boolean interactive;
        private boolean readOnly;
        private Integer oomScoreAdj;
        private String entrypoint;
        private String network = "none";
        private String ip;
        private List<String> publish = List.of();
        private Dns dns = Dns.HOST;
        private List<String> addHosts = List.of();
        private List<String> aliases = List.of();
        private boolean publishAll;
        private ResourcesSpec resources = ResourcesSpec.NONE;
        private boolean autoRemove;
        private String restart = "no";
        private boolean detach;
        private String stopSignal;
        private List<MountRequest> mounts = List.of();
        private List<String> volumesFrom = List.of();
        private java.util.Map<String, String> labels = java.util.Map.of();
        private Privileges privileges = Privileges.DEFAULT;

        private Builder() {}

        public Builder image(String value) { image = value; return this; }

        public Builder rootfs(String value) { rootfs = value; return this; }

        public Builder command(List<String> value) { command = value; return this; }

        public Builder name(String value) { name = value; return this; }

        public Builder hostname(String value) { hostname = value; return this; }

        public Builder env(List<String> value) { env = value; return this; }

        public Builder workdir(String value) { workdir = value; return this; }

        public Builder user(String value) { user = value; return this; }

        public Builder tty(boolean value) { tty = value; return this; }

        public Builder interactive(boolean value) { interactive = value; return this; }

        public Builder readOnly(boolean value) { readOnly = value; return this; }

        public Builder oomScoreAdj(Integer value) { oomScoreAdj = value; return this; }

        public Builder entrypoint(String value) { entrypoint = value; return this; }

        public Builder network(String value) { network = value; return this; }

        public Builder ip(String value) { ip = value; return this; }

        public Builder publish(List<String> value) { publish = value; return this; }

        public Builder dns(Dns value) { dns = value; return this; }

        public Builder addHosts(List<String> value) { addHosts = value; return this; }

        public Builder aliases(List<String> value) { aliases = value; return this; }

        public Builder publishAll(boolean value) { publishAll = value; return this; }

        public Builder resources(ResourcesSpec value) { resources = value; return this; }

        public Builder autoRemove(boolean value) { autoRemove = value; return this; }

        public Builder restart(String value) { restart = value; return this; }

        public Builder detach(boolean value) { detach = value; return this; }

        public Builder stopSignal(String value) { stopSignal = value; return this; }

        public Builder mounts(List<MountRequest> value) { mounts = value; return this; }

        public Builder volumesFrom(List<String> value) { volumesFrom = value; return this; }

        public Builder labels(java.util.Map<String, String> value) { labels = value; return this; }

        public Builder privileges(Privileges value) { privileges = value; return this; }

        public RunOptions build() {
            return new RunOptions(image, rootfs, command, name,
                    new Process(hostname, env, workdir, user, tty, interactive, readOnly, oomScoreAdj, entrypoint),
                    new Network(network, ip, publish, dns, addHosts, aliases, publishAll), resources,
                    new Lifecycle(autoRemove, restart, detach, stopSignal), new Storage(mounts, volumesFrom), labels, privileges);
        }
    }
}
