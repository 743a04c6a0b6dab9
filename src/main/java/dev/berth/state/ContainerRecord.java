package dev.berth.state;

import java.util.List;

/**
 * What berth knows of one container, as stored in its {@code state.json}. Immutable: every change
 * writes a new record. The accessors below the components read through to them, so callers need not
 * know the grouping.
 *
 * @param source  what it runs
 * @param process its first process as berth last saw it
 * @param network where it lives on the network
 * @param policy  how it is managed
 */
public record ContainerRecord(
        String id,
        String name,
        String created,
        Status status,
        Source source,
        Process process,
        Network network,
        Policy policy) {

    public enum Status { CREATED, RUNNING, EXITED }

    /**
     * @param image     the image as it was asked for, or null when the container runs a plain directory
     *                  ({@code --rootfs})
     * @param imageId   the image's id (null for --rootfs, and in records older than the layer store)
     * @param rootfs    the directory given with --rootfs, or the image's top layer
     * @param lowerDirs the read-only lower directories of the container's overlay root, top first
     * @param mounts    its binds, volumes and tmpfs mounts
     * @param labels    its labels (docker run --label, compose's com.docker.compose.*)
     */
    public record Source(String image, String imageId, String rootfs, List<String> lowerDirs, List<String> command,
                         List<MountPoint> mounts, java.util.Map<String, String> labels) {
        public Source(String image, String imageId, String rootfs, List<String> lowerDirs, List<String> command) {
            this(image, imageId, rootfs, lowerDirs, command, List.of(), java.util.Map.of());
        }

        public Source {
            command = List.copyOf(command);
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
            labels = labels == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
            lowerDirs = lowerDirs != null && !lowerDirs.isEmpty() ? List.copyOf(lowerDirs)
                    : rootfs != null ? List.of(rootfs) : List.of();
        }
    }

    /**
     * @param pid          the first process, or the pid of the berth process creating it (status CREATED)
     * @param pidStartTime the process's start time in clock ticks since boot (/proc/PID/stat field 22),
     *                     which tells a live container from a recycled pid
     * @param exitCode     null while it runs, and when it ended without berth seeing how
     * @param oomKilled    true when the kernel's OOM killer killed one of its processes
     */
    public record Process(int pid, long pidStartTime, Integer exitCode, String startedAt, String finishedAt,
                          boolean oomKilled) {
        static Process owner(int pid, long startTime, String startedAt, String finishedAt) {
            return new Process(pid, startTime, null, startedAt, finishedAt, false);
        }
    }

    /**
     * @param mode       the network mode asked for: none, host, container:NAME or a network's name
     * @param attachment the container's place on that network (null for none, host, container:)
     * @param ports      the ports it publishes on the host
     * @param aliases    more names it answers to in its network's DNS (--network-alias)
     */
    /**
     * @param attachment the network it was created on (its default route), null for none/host/container:
     * @param joined     networks it joined later (network connect), in the same namespace: eth1, eth2…
     */
    public record Network(String mode, Attachment attachment, List<PortMapping> ports, List<String> aliases,
                          List<Attachment> joined) {
        public Network(String mode, Attachment attachment, List<PortMapping> ports, List<String> aliases) {
            this(mode, attachment, ports, aliases, List.of());
        }

        public Network {
            ports = ports == null ? List.of() : List.copyOf(ports);
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            joined = joined == null ? List.of() : List.copyOf(joined);
        }
    }

    /**
     * @param restartPolicy no, on-failure[:N], always or unless-stopped
     * @param restartCount  how often the supervisor restarted it
     * @param detached      started by the supervisor (berth run -d), which is its parent
     * @param stopSignal    what {@code stop} sends first (--stop-signal, the image's StopSignal); null: SIGTERM
     */
    public record Policy(boolean autoRemove, String restartPolicy, int restartCount, boolean detached, Integer stopSignal) {
        public Policy(boolean autoRemove, String restartPolicy, int restartCount, boolean detached) {
            this(autoRemove, restartPolicy, restartCount, detached, null);
        }
    }

    /** A new container, recorded as being created by the process ownerPid. */
    public static ContainerRecord beingCreated(String id, String name, String created, Source source, int ownerPid,
                                          long ownerStartTime, Network network, Policy policy) {
        return new ContainerRecord(id, name, created, Status.CREATED, source,
                Process.owner(ownerPid, ownerStartTime, null, null), network, policy);
    }

    public ContainerRecord running(int pid, long pidStartTime, String startedAt) {
        return new ContainerRecord(id, name, created, Status.RUNNING, source,
                new Process(pid, pidStartTime, null, startedAt, null, false), network, policy);
    }

    public ContainerRecord exited(Integer exitCode, String finishedAt, boolean oomKilled) {
        return new ContainerRecord(id, name, created, Status.EXITED, source,
                new Process(0, 0, exitCode, process.startedAt(), finishedAt, oomKilled), network, policy);
    }

    /** The same container, about to start again (after a restart policy's decision or berth start). */
    public ContainerRecord restarting(int ownerPid, long ownerStartTime, Attachment newAttachment,
                                      List<Attachment> newJoined, int count, boolean detachedNow) {
        return new ContainerRecord(id, name, created, Status.CREATED, source,
                Process.owner(ownerPid, ownerStartTime, process.startedAt(), process.finishedAt()),
                new Network(network.mode(), newAttachment, network.ports(), network.aliases(), newJoined),
                new Policy(policy.autoRemove(), policy.restartPolicy(), count, detachedNow, policy.stopSignal()));
    }

    public ContainerRecord renamed(String newName) {
        return new ContainerRecord(id, newName, created, status, source, process, network, policy);
    }

    public String shortId() {
        return id.substring(0, 12);
    }

    // ---- read-through accessors ---------------------------------------------------------------------

    public String image() { return source.image(); }

    public String rootfs() { return source.rootfs(); }

    public String imageId() { return source.imageId(); }

    public List<String> lowerDirs() { return source.lowerDirs(); }

    public List<String> command() { return source.command(); }

    public List<MountPoint> mounts() { return source.mounts(); }

    /** Whether this container mounts the named volume. */
    public boolean usesVolume(String volume) {
        return source.mounts().stream().anyMatch(m -> m.isVolume() && m.name().equals(volume));
    }

    public int pid() { return process.pid(); }

    public long pidStartTime() { return process.pidStartTime(); }

    public Integer exitCode() { return process.exitCode(); }

    public String startedAt() { return process.startedAt(); }

    public String finishedAt() { return process.finishedAt(); }

    public boolean oomKilled() { return process.oomKilled(); }

    public String networkMode() { return network.mode(); }

    public Attachment attachment() { return network.attachment(); }

    /** Every network it is on: the one it was created on first, then those it joined. */
    public List<Attachment> attachments() {
        List<Attachment> all = new java.util.ArrayList<>();
        if (network.attachment() != null) {
            all.add(network.attachment());
        }
        all.addAll(network.joined());
        return all;
    }

    /** The same container on other joined networks (network connect and disconnect), with more aliases. */
    public ContainerRecord withJoined(List<Attachment> joined, List<String> aliases) {
        return new ContainerRecord(id, name, created, status, source, process,
                new Network(network.mode(), network.attachment(), network.ports(), aliases, joined), policy);
    }

    public List<PortMapping> ports() { return network.ports(); }

    public List<String> aliases() { return network.aliases(); }

    public boolean autoRemove() { return policy.autoRemove(); }

    public String restartPolicy() { return policy.restartPolicy(); }

    public int restartCount() { return policy.restartCount(); }

    public boolean detached() { return policy.detached(); }

    /** The signal stop sends first. */
    public int stopSignal() { return policy.stopSignal() != null ? policy.stopSignal() : 15; }
}
