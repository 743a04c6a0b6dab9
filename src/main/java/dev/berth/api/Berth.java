package dev.berth.api;

import dev.berth.Explain;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.Platform;
import dev.berth.registry.Credentials;
import dev.berth.image.PullProgress;
import dev.berth.network.NetworkRecord;
import dev.berth.network.Networks;
import dev.berth.nftables.Firewall;
import dev.berth.nftables.Nftables;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.spec.ResourcesSpec;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;
import dev.berth.volume.Volume;
import dev.berth.volume.VolumeStore;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * berth as a Java library: images, networks, and containers from creation to removal. A thin façade: the
 * CLI and the supervisor call it, and it hands each call to the part that owns it (lifecycle, networking,
 * running containers, images, maintenance).
 */
public final class Berth {
    private final BerthPaths paths;
    private final ContainerStore containers;
    private final Networks networks;
    private final ContainerNetworking networking;
    private final ContainerLifecycle lifecycle;
    private final RunningContainers running;
    private final Images images;
    private final Maintenance maintenance;
    private final Volumes volumes;
    private final ContainerCopy copy;

    public Berth(BerthPaths paths) {
        this(paths, Explain.NONE);
    }

    /** explain receives every kernel networking operation as the tutorial's equivalent command. */
    public Berth(BerthPaths paths, Explain explain) {
        this.paths = paths;
        dev.berth.runtime.SeccompFilters.keepCompiledIn(paths.runRoot().resolve("seccomp"));
        this.containers = new ContainerStore(paths);
        this.networks = new Networks(paths, explain);
        this.networking = new ContainerNetworking(networks, containers, new Firewall(Nftables.LIBRARY, paths.objectPrefix()), explain);
        ContainerCgroups cgroups = new ContainerCgroups(paths.objectPrefix());
        ImageStore imageStore = new ImageStore(paths);
        VolumeStore volumeStore = new VolumeStore(paths);
        ContainerMounts mounts = new ContainerMounts(volumeStore, containers);
        this.lifecycle = new ContainerLifecycle(paths, imageStore, containers, networking, cgroups, mounts);
        this.volumes = new Volumes(volumeStore, containers, mounts, lifecycle);
        this.running = new RunningContainers(paths, lifecycle, networks, cgroups);
        this.images = new Images(paths, imageStore, lifecycle::containers);
        this.copy = new ContainerCopy(paths, containers, lifecycle);
        this.maintenance = new Maintenance(containers, lifecycle, networking, networks, cgroups, volumes);
    }

    public BerthPaths paths() {
        return paths;
    }

    // ---- networks -------------------------------------------------------------------------------------

    public List<NetworkRecord> listNetworks() {
        return networks.list();
    }

    /** A network by name (a built-in one is created on first use). */
    public NetworkRecord network(String name) {
        return networks.get(name);
    }

    /** How many host veth ends (vb…) exist: the kernel frees a removed container's pair moments later. */
    public long hostVeths() {
        return networks.hostVeths();
    }

    /** Creates a network and adds its rules to the firewall. */
    public NetworkRecord createNetwork(String name, String driver, String subnet, String gateway, Integer mtu,
                                      boolean internal, Map<String, String> labels) {
        return containers.locked(() -> {
            NetworkRecord record = networks.create(name, driver, subnet, gateway, mtu, internal, labels);
            networking.syncFirewall();
            return record;
        });
    }

    /** Puts a created or running container on one more network (docker network connect). */
    public ContainerRecord connect(String network, String nameOrId, String ip, List<String> aliases) {
        return containers.locked(() -> {
            lifecycle.reconcileLocked();
            return networking.connect(containers.find(nameOrId), network, ip, aliases);
        });
    }

    /** Takes a container off a network it joined. */
    public ContainerRecord disconnect(String network, String nameOrId) {
        return containers.locked(() -> {
            lifecycle.reconcileLocked();
            return networking.disconnect(containers.find(nameOrId), network);
        });
    }

    /** Removes a network; refused while a container uses it. */
    public void removeNetwork(String name) {
        containers.locked(() -> {
            lifecycle.reconcileLocked();
            networks.remove(name);
            networking.syncFirewall();
            return null;
        });
    }

    /** --sysctl KEY=VALUE specs as a map; a spec without '=' is one clear error. */
    public static Map<String, String> sysctls(List<String> specs) {
        return Sysctls.parse(specs);
    }

    /**
     * Whether a container on this network resolves container names (user-defined networks: through the
     * supervisor's DNS server on the gateway, which must then run).
     */
    public static boolean resolvesContainerNames(RunOptions.Network options) {
        return options.parsedMode() instanceof dev.berth.spec.NetworkMode.Attached attached
                && !Networks.isBuiltIn(attached.network());
    }

    /** The comments of the firewall rules berth installed that concern network name. */
    public List<String> firewallRulesOf(String name) {
        return networking.firewallRulesOf(name);
    }

    /** Name → address of the containers attached to a network. */
    public Map<String, String> containersOn(String network) {
        Map<String, String> on = new TreeMap<>();
        for (ContainerRecord r : containers()) {
            if (r.status() == ContainerRecord.Status.EXITED) {
                continue;
            }
            for (var a : r.attachments()) {
                if (a.network().equals(network)) {
                    on.put(r.name(), a.ipAddress() + "/" + a.prefixLength());
                }
            }
        }
        return on;
    }

    /**
     * Reconciles records with the processes that exist, then removes kernel objects and reservations that
     * no live container owns (after a crash or a kill -9 in the middle of a set-up). Returns what went.
     */
    public List<String> gc() {
        return maintenance.gc();
    }

    // ---- images ---------------------------------------------------------------------------------------

    public List<ImageRecord> images() {
        return images.list();
    }

    public boolean hasImage(String name) {
        return images.exists(name);
    }

    public ImageRecord createBusyboxImage() {
        return images.createBusybox();
    }

    /** Creates the built-in busybox image unless it exists (or a concurrent berth just created it). */
    public void ensureBusyboxImage() {
        images.ensureBusybox();
    }

    public ImageRecord importImage(Path tar, String name) {
        return images.importTar(tar, name);
    }

    /** An image by name or id. */
    public ImageRecord image(String nameOrId) {
        return images.get(nameOrId);
    }

    /** Pulls reference (for platform) from its registry with the logins and insecure registries env gives. */
    public ImageRecord pull(String reference, Platform platform, PullProgress progress, Map<String, String> env) {
        return images.pull(reference, platform, progress, env);
    }

    public List<String> loadImages(java.io.InputStream archive, Platform platform, PullProgress progress) {
        return images.load(archive, platform, progress);
    }

    public void saveImages(List<String> names, Path file) {
        images.save(names, file);
    }

    public void login(String registry, String username, String password, Map<String, String> env) {
        images.login(registry, new Credentials.Login(username, password), env);
    }

    public boolean logout(String registry, Map<String, String> env) {
        return images.logout(registry, env);
    }

    /** Removes a name, or the image itself when it was its last; returns Docker's Untagged:/Deleted: lines. */
    public List<String> removeImage(String name) {
        return images.remove(name);
    }

    public List<String> pruneImages() {
        return images.prune(image -> true);
    }

    /** Removes the unnamed, unused images chosen (the Engine API's label filters), then unused layers. */
    public List<String> pruneImages(java.util.function.Predicate<ImageRecord> chosen) {
        return images.prune(chosen);
    }

    /** Gives an image one more name (docker tag). */
    public ImageRecord tagImage(String source, String target) {
        return images.tag(source, target);
    }

    // ---- containers -----------------------------------------------------------------------------------

    /** Checks options, then records the container and prepares its files and network; nothing runs yet. */
    public Container create(RunOptions options) {
        return lifecycle.create(options);
    }

    /** Starts a created container's first process with berth's own streams (stdin only when asked). */
    public ContainerProcess start(Container container, ContainerStarter.Stdin stdin) {
        return start(container, ContainerStarter.Stdio.of(stdin));
    }

    /** Starts a created container's first process inside its own control group, with the streams given. */
    public ContainerProcess start(Container container, ContainerStarter.Stdio stdio) {
        return lifecycle.start(container, stdio);
    }

    /** Records that the container's process ended (with exitCode, when known); --rm containers go away. */
    public void finished(Container container, Integer exitCode) {
        lifecycle.finished(container.record(), exitCode);
    }

    public void finished(ContainerRecord record, Integer exitCode) {
        lifecycle.finished(record, exitCode);
    }

    /** An exited container made ready to start again by berth start; the caller starts it. */
    public Container prepareRestart(String nameOrId, boolean detached) {
        return lifecycle.prepareRestart(nameOrId, detached, false);
    }

    /** As prepareRestart, counted as one more restart: the supervisor applying a restart policy. */
    public Container prepareRestartByPolicy(String id) {
        return lifecycle.prepareRestart(id, true, true);
    }

    public ContainerProcess exec(String nameOrId, List<String> command, List<String> env, String workdir, String user,
                                 boolean tty, ContainerStarter.Stdio stdio) {
        return running.exec(nameOrId, command, env, workdir, user, tty, stdio);
    }

    public void rename(String nameOrId, String newName) {
        lifecycle.rename(nameOrId, newName);
    }

    /** The host's view of a running container's processes: everything in its PID namespace. */
    public List<ProcessHandle> processes(String nameOrId) {
        return running.processes(nameOrId);
    }

    /** Sends signal to a running container's first process (never to a recycled pid). */
    public ContainerRecord signal(String nameOrId, int signal) {
        return running.signal(nameOrId, signal);
    }

    /** SIGTERM, then SIGKILL after timeoutSeconds; returns once the process is gone. */
    public void stop(String nameOrId, int timeoutSeconds) {
        running.stop(nameOrId, timeoutSeconds);
    }

    /** The records as they are on disk now, without locking or reconciling: for frequent readers (DNS). */
    public List<ContainerRecord> snapshot() {
        return containers.list();
    }

    /** Every container record, after reconciling records with the processes that really exist. */
    public List<ContainerRecord> containers() {
        return lifecycle.containers();
    }

    public ContainerRecord inspect(String nameOrId) {
        return lifecycle.inspect(nameOrId);
    }

    /** Removes a container; a running one only with force, which kills it first. */
    public ContainerRecord remove(String nameOrId, boolean force) {
        return lifecycle.remove(nameOrId, force, false);
    }

    /** Removes a container and, with volumes (rm -v), its anonymous volumes that no other container uses. */
    public ContainerRecord remove(String nameOrId, boolean force, boolean volumes) {
        return lifecycle.remove(nameOrId, force, volumes);
    }

    // ---- berth cp ---------------------------------------------------------------------------------------

    /** A tar of path inside the container (running or not): its top is path's base name, or "." for DIR/. */
    public void copyFromContainer(String nameOrId, String path, java.io.OutputStream tar) {
        copy.archive(nameOrId, path, tar);
    }

    /** What path is inside the container (running or not), or null when nothing is there. */
    public dev.berth.archive.PathStat statInContainer(String nameOrId, String path) {
        return copy.stat(nameOrId, path);
    }

    /** Unpacks a tar at path inside the container (running or not), confined to its root. */
    public void copyToContainer(String nameOrId, String path, java.io.InputStream tar,
                                dev.berth.archive.TreeArchive.Placement placement, boolean preserveOwners) {
        copy.extract(nameOrId, path, tar, placement, preserveOwners);
    }

    // ---- volumes --------------------------------------------------------------------------------------

    /** Creates a named volume (a fresh anonymous name when name is null); an existing one is returned as it is. */
    public Volume createVolume(String name, Map<String, String> labels) {
        return volumes.create(name, labels);
    }

    public List<Volume> listVolumes() {
        return volumes.list();
    }

    public Volume inspectVolume(String name) {
        return volumes.inspect(name);
    }

    /** The host directory holding the volume's content. */
    public Path volumeMountpoint(String name) {
        return paths.volumeData(name);
    }

    /** The containers (running or not) that mount the volume. */
    public List<ContainerRecord> volumeUsers(String name) {
        return lifecycle.containers().stream().filter(r -> r.usesVolume(name)).toList();
    }

    /** Removes a volume no container uses (else a BerthException that names them). */
    public void removeVolume(String name) {
        volumes.remove(name);
    }

    /** Removes unused anonymous volumes, or every unused volume with all; returns their names. */
    public List<String> pruneVolumes(boolean all) {
        return volumes.prune(all, volume -> true);
    }

    /** Removes the unused volumes chosen (anonymous ones only unless all); returns their names. */
    public List<String> pruneVolumes(boolean all, java.util.function.Predicate<Volume> chosen) {
        return volumes.prune(all, chosen);
    }

    /** A container's counters at one moment. */
    public record ContainerStats(String id, String name, long cpuNanos, long memoryBytes, long memoryLimitBytes,
                                 long pids, long rxBytes, long txBytes) {}

    /** The usage of a running container: its group's counters, and its interface's traffic. */
    public ContainerStats stats(ContainerRecord record) {
        return running.stats(record);
    }

    /** Changes the limits of a running container. */
    public void update(String nameOrId, ResourcesSpec resources) {
        running.update(nameOrId, resources);
    }
}
