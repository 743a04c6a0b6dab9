package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.cgroup.Cgroup;
import dev.berth.cgroup.Cgroups;
import dev.berth.cgroup.Resources;
import dev.berth.cgroup.Stats;
import dev.berth.image.BusyboxImage;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.TarImporter;
import dev.berth.linux.Libc;
import dev.berth.linux.Procfs;
import dev.berth.state.Attachment;
import dev.berth.network.HostPorts;
import dev.berth.network.NetworkRecord;
import dev.berth.network.Networks;
import dev.berth.network.PortSpecs;
import dev.berth.network.ResolvConf;
import dev.berth.network.Subnet;
import dev.berth.network.Sysctl;
import dev.berth.nftables.Firewall;
import dev.berth.nftables.FirewallPlan;
import dev.berth.nftables.Nftables;
import dev.berth.state.PortMapping;
import dev.berth.runtime.Confinement;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.runtime.Exec;
import dev.berth.spec.ProcessSpec;
import dev.berth.runtime.Overlay;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.ResourcesSpec;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;
import dev.berth.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * berth as a Java library: images, and containers from creation to removal. The CLI is a thin layer
 * over this class.
 */
public final class Berth {
    private static final int SIGKILL = 9;

    private final BerthPaths paths;
    private final ImageStore images;
    private final ContainerStore containers;
    private final Networks networks;
    private final Explain explain;
    private final Firewall firewall = new Firewall(Nftables.LIBRARY);

    public Berth(BerthPaths paths) {
        this(paths, Explain.NONE);
    }

    /** explain receives every kernel networking operation as the tutorial's equivalent command. */
    public Berth(BerthPaths paths, Explain explain) {
        this.paths = paths;
        this.images = new ImageStore(paths);
        this.containers = new ContainerStore(paths);
        this.networks = new Networks(paths, explain);
        this.explain = explain;
    }

    public Networks networks() {
        return networks;
    }

    /** Creates a network and adds its rules to the firewall. */
    public NetworkRecord createNetwork(String name, String driver, String subnet, String gateway, Integer mtu,
                                      boolean internal) {
        return containers.locked(() -> {
            NetworkRecord record = networks.create(name, driver, subnet, gateway, mtu, internal);
            syncFirewall(explain);
            return record;
        });
    }

    /** The firewall rules berth installed that concern network name, as nft prints them. */
    public List<String> firewallRulesOf(String name) {
        return firewall.rulesMentioning(name);
    }

    /** Name → address of the containers attached to a network. */
    public java.util.Map<String, String> containersOn(String network) {
        java.util.Map<String, String> on = new java.util.TreeMap<>();
        for (ContainerRecord r : containers()) {
            if (r.attachment() != null && r.attachment().network().equals(network)
                    && r.status() != ContainerRecord.Status.EXITED) {
                on.put(r.name(), r.attachment().ipAddress() + "/" + r.attachment().prefixLength());
            }
        }
        return on;
    }

    /** Removes a network; refused while a container uses it. */
    public void removeNetwork(String name) {
        containers.locked(() -> {
            reconcileLocked();
            networks.remove(name);
            syncFirewall(explain);
            return null;
        });
    }

    /**
     * Reconciles records with the processes that exist, then removes kernel objects and reservations that
     * no live container owns (after a crash or a kill -9 in the middle of a set-up). Returns what went.
     */
    public List<String> gc() {
        return containers.locked(() -> {
            reconcileLocked();
            List<ContainerRecord> live = containers.list().stream()
                    .filter(r -> r.status() != ContainerRecord.Status.EXITED).toList();
            List<String> removed = networks.gc(
                    live.stream().map(ContainerRecord::id).collect(java.util.stream.Collectors.toSet()),
                    live.stream().filter(r -> r.attachment() != null).map(r -> r.attachment().hostInterface())
                            .collect(java.util.stream.Collectors.toSet()),
                    live.stream().filter(r -> r.attachment() != null).map(r -> r.attachment().visiblePath())
                            .collect(java.util.stream.Collectors.toSet()));
            syncFirewall(explain);
            for (ContainerRecord r : live) { // and what a live container needs, put back
                if (r.attachment() != null && r.status() == ContainerRecord.Status.RUNNING) {
                    for (String pin : networks.repin(r.attachment(), r.pid())) {
                        removed.add("restored namespace pin " + pin);
                    }
                    if (networks.rewire(r.attachment(), "berth-" + r.name())) {
                        removed.add("restored veth " + r.attachment().hostInterface() + " of " + r.name());
                    }
                }
            }
            List<String> liveIds = live.stream().map(ContainerRecord::id).toList();
            for (String id : cgroups().ids()) {
                if (!liveIds.contains(id)) {
                    cgroups().open(id).destroy();
                    removed.add("cgroup " + id);
                }
            }
            cgroups().removeParentIfEmpty();
            return removed;
        });
    }

    public BerthPaths paths() {
        return paths;
    }

    // ---- images ---------------------------------------------------------------------------------------

    public List<ImageRecord> images() {
        return images.list();
    }

    public boolean hasImage(String name) {
        return images.exists(name);
    }

    public ImageRecord createBusyboxImage() {
        return BusyboxImage.create(images);
    }

    /** Creates the built-in busybox image unless it exists (or a concurrent berth just created it). */
    public void ensureBusyboxImage() {
        try {
            createBusyboxImage();
        } catch (BerthException e) {
            if (!images.exists(BusyboxImage.NAME)) {
                throw e;
            }
        }
    }

    public ImageRecord importImage(Path tar, String name) {
        if (!Files.isRegularFile(tar)) {
            throw new BerthException("no such file: " + tar);
        }
        return images.add(name, tar.toAbsolutePath().toString(), List.of(), rootfs -> TarImporter.unpack(tar, rootfs));
    }

    public void removeImage(String name) {
        images.get(name);
        List<String> users = containers().stream().filter(c -> name.equals(c.image())).map(ContainerRecord::name).toList();
        if (!users.isEmpty()) {
            throw new BerthException("image " + name + " is in use by container(s) " + String.join(", ", users)
                    + ": remove them first");
        }
        images.remove(name);
    }

    // ---- containers -----------------------------------------------------------------------------------

    /** Checks options, then records the container and prepares its directories; nothing runs yet. */
    public Container create(RunOptions options) {
        if (Libc.geteuid() != 0) {
            throw new BerthException("berth must run as root (try: sudo berth ...)");
        }
        dev.berth.Trace.mark("root checked");
        ImageRecord image = null;
        Path lower;
        if (options.rootfs() != null) {
            lower = Path.of(options.rootfs()).toAbsolutePath().normalize();
            if (!Files.isDirectory(lower)) {
                throw new BerthException("rootfs " + options.rootfs() + " is not a directory");
            }
            if (isEmpty(lower)) {
                throw new BerthException("rootfs " + options.rootfs() + " is empty");
            }
        } else {
            image = images.get(options.image());
            lower = images.rootfs(options.image());
        }
        dev.berth.Trace.mark("image read");
        ImageRecord imageRecord = image;
        Container container = containers.locked(() -> {
            reconcileLocked();
            String name = options.name() != null ? options.name() : Names.generate();
            if (!Names.isValid(name)) {
                throw new BerthException("invalid container name '" + name + "': use letters, digits, '_', '.' and '-'");
            }
            containers.byName(name).ifPresent(holder -> {
                throw new BerthException("the container name '" + name + "' is already in use by container "
                        + holder.shortId() + ": remove it (berth rm " + name + ") or choose another name");
            });
            String id = Names.newId();
            String mode = options.network();
            List<PortMapping> ports = publications(options);
            Attachment attachment = null;
            NetworkPlacement placement;
            if (mode.equals("none")) {
                placement = new NetworkPlacement.Own();
            } else if (mode.equals("host")) {
                placement = new NetworkPlacement.Host();
            } else if (mode.startsWith("container:")) {
                placement = new NetworkPlacement.Join(namespaceOf(containers.find(mode.substring("container:".length()))));
            } else {
                attachment = networks.plan(mode, id, name, options.ip());
                placement = new NetworkPlacement.Join(attachment.namespacePath());
            }
            String resolvConf;
            String extraHosts;
            try {
                if (options.ip() != null && attachment == null) {
                    throw new BerthException("--ip needs a bridge or veth network, not --network " + mode);
                }
                List<String> servers = options.dns().servers();
                if (servers.isEmpty() && attachment != null && Networks.hasNameService(networks.get(attachment.network()))) {
                    servers = List.of(attachment.gateway()); // the supervisor's DNS server: container names
                }
                resolvConf = ResolvConf.forContainer(ResolvConf.read(ResolvConf.HOST), ResolvConf.read(ResolvConf.SYSTEMD_UPSTREAMS),
                        placement instanceof NetworkPlacement.Host, servers, options.dns().search(),
                        options.dns().options());
                extraHosts = extraHosts(options.addHosts(), attachment);
            } catch (RuntimeException e) {
                if (attachment != null) {
                    networks.release(attachment.network(), id);
                }
                throw e;
            }
            ContainerSpec spec;
            try {
                spec = SpecConverter.convert(options, imageRecord, lower, name, paths.mergedDir(id), System.getenv(), placement);
            } catch (RuntimeException e) {
                if (attachment != null) {
                    networks.release(attachment.network(), id);
                }
                throw e;
            }
            int self = Libc.getpid();
            ContainerRecord record = new ContainerRecord(id, name, options.image(), lower.toString(),
                    spec.process().args(), Instant.now().toString(), ContainerRecord.Status.CREATED,
                    self, Procfs.startTime(self).orElse(0), null, null, null, options.autoRemove(), mode, attachment, ports,
                    false, RestartPolicy.parse(options.restart()).text(), 0, options.detach(),
                    options.aliases().stream().map(a -> a.toLowerCase(java.util.Locale.ROOT)).toList());
            containers.create(record); // recorded before any kernel object exists: a crash can be cleaned up
            try {
                Json.writeAtomically(paths.containerConfig(id), spec);
                writeEtcFiles(paths.upperDir(id), spec.hostname(), attachment, resolvConf, extraHosts,
                        !(placement instanceof NetworkPlacement.Host));
            } catch (RuntimeException e) {
                discardLocked(record);
                throw e;
            }
            return new Container(record, spec, new Overlay(List.of(lower), paths.upperDir(id), paths.workDir(id)));
        });
        dev.berth.Trace.mark("recorded");
        Attachment attachment = container.record().attachment();
        if (attachment != null) {
            wire(container, () -> containers.locked(() -> {
                discardLocked(container.record());
                return null;
            }));
            dev.berth.Trace.mark("network set up");
        }
        return container;
    }

    /**
     * The -p publications of a new container, refused when another live container publishes the same
     * address, port and protocol, or when a process of the host already listens there.
     */
    private List<PortMapping> publications(RunOptions options) {
        List<PortMapping> ports = options.publish().stream().flatMap(p -> PortSpecs.parse(p).stream()).toList();
        if (ports.isEmpty()) {
            return ports;
        }
        String mode = options.network();
        if (mode.equals("none") || mode.equals("host") || mode.startsWith("container:")) {
            throw new BerthException("publishing ports needs a bridge or veth network, not --network " + mode);
        }
        for (int i = 0; i < ports.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (ports.get(i).clashesWith(ports.get(j))) {
                    throw new BerthException("port " + ports.get(i).hostPort() + "/" + ports.get(i).protocol() + " is published twice");
                }
            }
        }
        for (ContainerRecord other : containers.list()) {
            if (other.status() == ContainerRecord.Status.EXITED) {
                continue;
            }
            for (PortMapping theirs : other.ports()) {
                for (PortMapping mine : ports) {
                    if (mine.clashesWith(theirs)) {
                        throw new BerthException("port " + mine.hostPort() + "/" + mine.protocol()
                                + " is already published by container " + other.name() + " (" + theirs + ")");
                    }
                }
            }
        }
        ports.forEach(HostPorts::checkFree);
        return ports;
    }

    /** /etc/hosts lines for --add-host NAME:IP; host-gateway is the host's address on the network. */
    private static String extraHosts(List<String> addHosts, Attachment attachment) {
        StringBuilder lines = new StringBuilder();
        for (String entry : addHosts) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new BerthException("invalid --add-host '" + entry + "': expected NAME:IP");
            }
            String host = entry.substring(0, colon);
            String ip = entry.substring(colon + 1);
            if (ip.equals("host-gateway")) {
                if (attachment == null) {
                    throw new BerthException("--add-host " + entry + " needs a bridge or veth network");
                }
                ip = attachment.gateway();
            } else {
                ip = Subnet.parseAddress(ip).getHostAddress();
            }
            lines.append(ip).append('\t').append(host).append('\n');
        }
        return lines.toString();
    }

    /**
     * Makes berth's nftables table match berth's state: networks, and the ports of live containers.
     * Called under the containers lock by every command that reconciles, so a flushed ruleset comes
     * back with the next berth command.
     */
    private void syncFirewall(Explain say) {
        List<NetworkRecord> nets = networks.list();
        List<FirewallPlan.Port> ports = new ArrayList<>();
        List<ContainerRecord> live = containers.list().stream()
                .filter(r -> r.status() != ContainerRecord.Status.EXITED && r.attachment() != null).toList();
        for (ContainerRecord r : live) {
            for (PortMapping p : r.ports()) {
                ports.add(new FirewallPlan.Port(p.hostIp(), p.hostPort(), p.protocol(), r.attachment().ipAddress(),
                        p.containerPort(), r.name()));
            }
        }
        FirewallPlan plan = new FirewallPlan(nets.stream()
                .map(n -> new FirewallPlan.Network(n.name(), n.subnet(), n.internal())).toList(), ports);
        firewall.apply(plan, say);
        if (!Nftables.LIBRARY.available()) {
            return;
        }
        if (nets.stream().anyMatch(n -> !n.internal())) {
            Sysctl.set("net.ipv4.ip_forward", "1", say);
        }
        if (!ports.isEmpty()) {
            // lets the host reach ports published on 127.0.0.1: DNAT'ed loopback traffic leaves by these
            for (NetworkRecord n : nets) {
                if (n.bridge() != null) {
                    Sysctl.setIfPresent("net.ipv4.conf." + n.bridge() + ".route_localnet", "1", say);
                }
            }
            for (ContainerRecord r : live) {
                if (r.attachment().bridge() == null) {
                    Sysctl.setIfPresent("net.ipv4.conf." + r.attachment().hostInterface() + ".route_localnet", "1", say);
                }
            }
        }
    }

    /** Sets up a container's recorded network and its firewall rules; undo runs when that fails. */
    private void wire(Container container, Runnable undo) {
        try {
            networks.setUp(container.record().attachment(), "berth-" + container.record().name());
            containers.locked(() -> {
                syncFirewall(explain);
                return null;
            });
        } catch (RuntimeException e) {
            undo.run();
            throw e;
        }
    }

    /** The network namespace of a running container, for --network container:NAME. */
    private static String namespaceOf(ContainerRecord target) {
        if (target.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("cannot join the network of container " + target.name() + ": it is not running");
        }
        if (target.attachment() != null) {
            return target.attachment().namespacePath();
        }
        if ("host".equals(target.network())) {
            throw new BerthException("cannot join the network of container " + target.name() + ": it uses the host's");
        }
        return "/proc/" + target.pid() + "/ns/net";
    }

    /** Takes away a container's network objects and its record. */
    private void discardLocked(ContainerRecord record) {
        tearDownNetwork(record);
        releaseCgroup(record.id());
        containers.remove(record.id());
        if (record.attachment() != null) {
            syncFirewall(Explain.NONE);
        }
    }

    private void tearDownNetwork(ContainerRecord record) {
        if (record.attachment() != null) {
            networks.tearDown(record.attachment(), record.id());
        }
    }

    private Cgroups cgroups;

    /** The host's cgroup layout, found on first use; groups live under $BERTH_CGROUP_PARENT (berth). */
    private Cgroups cgroups() {
        if (cgroups == null) {
            String parent = System.getenv().getOrDefault("BERTH_CGROUP_PARENT", "berth");
            cgroups = Cgroups.detect(parent);
        }
        return cgroups;
    }

    /** Removes a container's group; returns whether the OOM killer struck in it. */
    private boolean releaseCgroup(String id) {
        Cgroup group = cgroups().open(id);
        boolean oomKilled = group.oomKilled();
        group.destroy();
        cgroups().removeParentIfEmpty();
        return oomKilled;
    }

    private static Resources limits(ResourcesSpec r) {
        return r == null ? Resources.NONE : new Resources(r.memoryLimit(), r.memorySwap(), r.memoryReservation(),
                r.cpuQuota(), r.cpuPeriod(), r.cpuShares(), r.cpusetCpus(), r.pidsLimit());
    }

    /** The usage of a running container: its group's counters, and its interface's traffic. */
    public ContainerStats stats(ContainerRecord record) {
        Stats s = cgroups().open(record.id()).stats();
        long rx = 0;
        long tx = 0;
        if (record.attachment() != null) {
            long[] counters = networks.hostCounters(record.attachment());
            rx = counters[1]; // what the host end sends is what the container receives
            tx = counters[0];
        }
        return new ContainerStats(record.id(), record.name(), s.cpuNanos(), s.memoryBytes(), s.memoryLimitBytes(),
                s.pids(), rx, tx);
    }

    /** A container's counters at one moment. */
    public record ContainerStats(String id, String name, long cpuNanos, long memoryBytes, long memoryLimitBytes,
                                 long pids, long rxBytes, long txBytes) {}

    /** Changes the limits of a running container. */
    public void update(String nameOrId, ResourcesSpec resources) {
        ContainerRecord record = inspect(nameOrId);
        if (record.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("container " + record.name() + " is not running");
        }
        cgroups().open(record.id()).apply(limits(resources));
    }

    /**
     * Starts a created container's first process, inside its own control group (made first, so the
     * command never runs unlimited), and records it as running.
     */
    public ContainerProcess start(Container container, ContainerStarter.Stdin stdin) {
        return start(container, ContainerStarter.Stdio.of(stdin), null);
    }

    /** As start, with the streams given and an --oom-score-adj for the first process (null: the default). */
    public ContainerProcess start(Container container, ContainerStarter.Stdio stdio, Integer oomScoreAdj) {
        ContainerProcess process;
        try {
            Cgroup group = cgroups().create(container.record().id(), limits(container.spec().linux().resources()));
            process = ContainerStarter.start(container.spec(), container.overlay(), stdio, confinementOf(group));
            if (oomScoreAdj != null) {
                Files.writeString(Path.of("/proc/" + process.pid() + "/oom_score_adj"), oomScoreAdj.toString());
            }
        } catch (IOException e) {
            containers.locked(() -> {
                finishLocked(container.record(), null);
                return null;
            });
            throw new BerthException("cannot set the OOM score: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            containers.locked(() -> {
                finishLocked(container.record(), null);
                return null;
            });
            throw e;
        }
        ContainerRecord running = container.record().running(process.pid(),
                Procfs.startTime(process.pid()).orElse(0), Instant.now().toString());
        containers.update(running);
        return process;
    }

    /** Records that the container's process ended (with exitCode, when known); --rm containers go away. */
    public void finished(Container container, Integer exitCode) {
        finished(container.record(), exitCode);
    }

    public void finished(ContainerRecord record, Integer exitCode) {
        containers.locked(() -> {
            finishLocked(record, exitCode);
            return null;
        });
    }

    /**
     * An exited container made ready to start again (berth start, a restart policy): its network is set
     * up anew, with the same address when it is still free. The caller starts it.
     */
    public Container prepareRestart(String nameOrId, boolean detached) {
        int self = Libc.getpid();
        Container container = containers.locked(() -> {
            reconcileLocked();
            ContainerRecord record = containers.find(nameOrId);
            if (record.status() != ContainerRecord.Status.EXITED) {
                throw new BerthException("container " + record.name() + " is " + record.status().name().toLowerCase()
                        + ", not exited");
            }
            ContainerSpec spec = Json.read(paths.containerConfig(record.id()), ContainerSpec.class);
            Attachment attachment = null;
            if (record.attachment() != null) {
                Attachment before = record.attachment();
                try {
                    attachment = networks.plan(before.network(), record.id(), record.name(), before.ipAddress());
                } catch (BerthException taken) {
                    attachment = networks.plan(before.network(), record.id(), record.name(), null);
                }
            }
            ContainerRecord again = record.restarting(self, Procfs.startTime(self).orElse(0), attachment,
                    record.restartCount(), detached);
            containers.update(again);
            return new Container(again, spec, new Overlay(List.of(Path.of(record.rootfs())), paths.upperDir(record.id()),
                    paths.workDir(record.id())));
        });
        if (container.record().attachment() != null) {
            wire(container, () -> finished(container.record(), null));
        }
        return container;
    }

    /**
     * Runs a new process in a running container (berth exec): its namespaces and cgroup, the container's
     * capabilities and environment, plus what the caller adds. user resolves against the container's own
     * /etc files (through /proc/PID/root).
     */
    public ContainerProcess exec(String nameOrId, List<String> command, List<String> env, String workdir, String user,
                                 boolean tty, ContainerStarter.Stdio stdio) {
        ContainerRecord record = inspect(nameOrId);
        if (record.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("container " + record.name() + " is not running");
        }
        if (command.isEmpty()) {
            throw new BerthException("exec needs a command");
        }
        ContainerSpec spec = Json.read(paths.containerConfig(record.id()), ContainerSpec.class);
        ProcessSpec.User identity = user == null ? spec.process().user()
                : new UserLookup(Path.of("/proc/" + record.pid() + "/root")).resolve(user).user();
        List<String> environment = new ArrayList<>(spec.process().env());
        if (tty) {
            environment.add("TERM=xterm");
        }
        for (String e : env) {
            if (!e.contains("=") || e.startsWith("=")) {
                throw new BerthException("invalid environment variable '" + e + "'");
            }
            environment.add(e);
        }
        String cwd = workdir != null ? workdir : spec.process().cwd();
        ProcessSpec process = new ProcessSpec(tty, identity, command, environment, cwd, spec.process().capabilities(),
                spec.process().noNewPrivileges());
        return Exec.exec(record.pid(), process, confinementOf(cgroups().open(record.id())), stdio);
    }

    /**
     * The runtime's view of a cgroup: where the spawner thread and the new process go. A process whose
     * creating thread joined already is in the group: moving it again would only cost time (each cgroup
     * migration waits for an RCU grace period).
     */
    private static Confinement confinementOf(Cgroup group) {
        return new Confinement() {
            private volatile boolean threadJoined;

            @Override
            public boolean enterCallingThread() {
                threadJoined = group.enterCallingThread();
                return threadJoined;
            }

            @Override
            public void addProcess(int pid) {
                if (!threadJoined) {
                    group.addProcess(pid);
                }
            }
        };
    }

    /** Renames a container (running or not); the new name must be free. */
    public void rename(String nameOrId, String newName) {
        if (!Names.isValid(newName)) {
            throw new BerthException("invalid container name '" + newName + "'");
        }
        containers.locked(() -> {
            reconcileLocked();
            ContainerRecord r = containers.find(nameOrId);
            containers.byName(newName).ifPresent(holder -> {
                throw new BerthException("the container name '" + newName + "' is already in use by container " + holder.shortId());
            });
            containers.update(new ContainerRecord(r.id(), newName, r.image(), r.rootfs(), r.command(), r.created(), r.status(),
                    r.pid(), r.pidStartTime(), r.exitCode(), r.startedAt(), r.finishedAt(), r.autoRemove(), r.network(),
                    r.attachment(), r.ports(), r.oomKilled(), r.restartPolicy(), r.restartCount(), r.detached(), r.aliases()));
            return null;
        });
    }

    /** The host's view of a running container's processes: everything in its PID namespace. */
    public List<ProcessHandle> processes(String nameOrId) {
        ContainerRecord r = inspect(nameOrId);
        if (r.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("container " + r.name() + " is not running");
        }
        try {
            Path ns = Files.readSymbolicLink(Path.of("/proc/" + r.pid() + "/ns/pid"));
            return ProcessHandle.allProcesses().filter(p -> {
                try {
                    return Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/pid")).equals(ns);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        } catch (IOException e) {
            throw new BerthException("cannot read the processes of " + r.name() + ": " + e.getMessage(), e);
        }
    }

    /** Counts one more restart in the record of a container the supervisor starts again. */
    public void countRestart(String id) {
        containers.locked(() -> {
            ContainerRecord r = containers.find(id);
            containers.update(r.restarting(r.pid(), r.pidStartTime(), r.attachment(), r.restartCount() + 1, r.detached()));
            return null;
        });
    }

    /**
     * Sends signal to a running container's first process, through a pidfd checked against the
     * recorded start time (never a recycled pid).
     */
    public ContainerRecord signal(String nameOrId, int signal) {
        ContainerRecord record = running(nameOrId);
        withPidfd(record, pidfd -> Libc.pidfdSendSignal(pidfd, signal));
        return record;
    }

    /** SIGTERM, then SIGKILL after timeoutSeconds; returns once the process is gone. */
    public void stop(String nameOrId, int timeoutSeconds) {
        withPidfd(running(nameOrId), pidfd -> {
            Libc.pidfdSendSignal(pidfd, 15);
            if ((Libc.poll(pidfd, Libc.POLLIN, Math.max(0, timeoutSeconds) * 1000) & Libc.POLLIN) == 0) {
                Libc.pidfdSendSignal(pidfd, SIGKILL);
                Libc.poll(pidfd, Libc.POLLIN, 10_000);
            }
        });
    }

    private ContainerRecord running(String nameOrId) {
        ContainerRecord record = inspect(nameOrId);
        if (record.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("container " + record.name() + " is not running");
        }
        return record;
    }

    /** Acts on a container's first process through a pidfd checked against the recorded start time. */
    private static void withPidfd(ContainerRecord record, java.util.function.IntConsumer action) {
        int pidfd = Libc.pidfdOpen(record.pid());
        try {
            if (!Procfs.isAlive(record.pid(), record.pidStartTime())) {
                throw new BerthException("container " + record.name() + " is not running");
            }
            action.accept(pidfd);
        } finally {
            Libc.closeQuietly(pidfd);
        }
    }

    private void finishLocked(ContainerRecord record, Integer exitCode) {
        if (!Files.exists(paths.containerRecord(record.id()))) {
            return; // removed meanwhile (berth rm -f)
        }
        tearDownNetwork(record);
        boolean oomKilled = releaseCgroup(record.id());
        if (record.autoRemove()) {
            containers.remove(record.id());
        } else {
            containers.update(Json.read(paths.containerRecord(record.id()), ContainerRecord.class)
                    .exited(exitCode, Instant.now().toString(), oomKilled));
        }
        if (record.attachment() != null) {
            syncFirewall(Explain.NONE); // its published ports go
        }
    }

    /** The records as they are on disk now, without locking or reconciling: for frequent readers (DNS). */
    public List<ContainerRecord> snapshot() {
        return containers.list();
    }

    /** Every container record, after reconciling records with the processes that really exist. */
    public List<ContainerRecord> containers() {
        return containers.locked(() -> {
            reconcileLocked();
            return containers.list();
        });
    }

    public ContainerRecord inspect(String nameOrId) {
        return containers.locked(() -> {
            reconcileLocked();
            return containers.find(nameOrId);
        });
    }

    /** Removes a container; a running one only with force, which kills it first. */
    public ContainerRecord remove(String nameOrId, boolean force) {
        return containers.locked(() -> {
            reconcileLocked();
            ContainerRecord record = containers.find(nameOrId);
            if (record.status() == ContainerRecord.Status.RUNNING) {
                if (!force) {
                    throw new BerthException("container " + record.name() + " is running: stop it first or use rm -f");
                }
                kill(record);
            }
            discardLocked(record);
            return record;
        });
    }

    private static void kill(ContainerRecord record) {
        int pidfd;
        try {
            pidfd = Libc.pidfdOpen(record.pid());
        } catch (RuntimeException e) {
            return; // already gone
        }
        try {
            if (!Procfs.isAlive(record.pid(), record.pidStartTime())) {
                return;
            }
            Libc.pidfdSendSignal(pidfd, SIGKILL);
            if ((Libc.poll(pidfd, Libc.POLLIN, 10_000) & Libc.POLLIN) == 0) {
                throw new BerthException("container " + record.name() + " did not die within 10 s of SIGKILL");
            }
        } finally {
            Libc.closeQuietly(pidfd);
        }
    }

    /**
     * A record whose process is gone is stale: berth was interrupted (kill -9) while creating it, or the
     * container ended with no berth process watching. Half-created containers and --rm ones are removed;
     * others are marked exited with an unknown status.
     */
    private void reconcileLocked() {
        for (ContainerRecord record : containers.list()) {
            if (record.status() == ContainerRecord.Status.EXITED
                    || Procfs.isAlive(record.pid(), record.pidStartTime())) {
                continue;
            }
            tearDownNetwork(record);
            boolean oomKilled = releaseCgroup(record.id());
            if (record.status() == ContainerRecord.Status.CREATED || record.autoRemove()) {
                containers.remove(record.id());
            } else {
                containers.update(record.exited(null, Instant.now().toString(), oomKilled));
            }
        }
        restoreFirewall();
    }

    /**
     * Puts berth's rules back if something flushed them. With no network and no published port there is
     * nothing to restore, and nothing to pay for: libnftables is not even loaded.
     */
    private void restoreFirewall() {
        if (!networks.list().isEmpty()) {
            syncFirewall(Explain.NONE);
        }
    }

    private static void writeEtcFiles(Path upper, String hostname, Attachment attachment, String resolvConf,
                                      String extraHosts, boolean ownNetwork) {
        try {
            Path etc = Files.createDirectories(upper.resolve("etc"));
            Files.writeString(etc.resolve("resolv.conf"), resolvConf);
            if (!ownNetwork) {
                return; // --network host: the image's own hostname and hosts files
            }
            Files.writeString(etc.resolve("hostname"), hostname + "\n");
            Files.writeString(etc.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                    + (attachment != null ? attachment.ipAddress() + "\t" + hostname + "\n" : "") + extraHosts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the container's /etc files", e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new BerthException("cannot read rootfs " + dir + ": " + e.getMessage(), e);
        }
    }
}
