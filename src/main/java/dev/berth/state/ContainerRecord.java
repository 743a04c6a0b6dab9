package dev.berth.state;

import dev.berth.state.Attachment;

import java.util.List;

/**
 * What berth knows of one container, as stored in its {@code state.json}. Immutable: every change
 * writes a new record.
 *
 * @param image        the image name, or null when the container runs a plain directory ({@code --rootfs})
 * @param rootfs       the read-only lower directory of the container's overlay root
 * @param pidStartTime the process's start time in clock ticks since boot (/proc/PID/stat field 22),
 *                     which tells a live container from a recycled pid
 * @param exitCode     null while it runs, and when it ended without berth seeing how
 * @param network      the network mode asked for: none, host, container:NAME or a network's name
 * @param attachment   the container's place on that network (null for none, host, container:)
 * @param ports        the ports it publishes on the host
 * @param oomKilled    true when the kernel's OOM killer killed one of its processes
 * @param restartPolicy no, on-failure[:N], always or unless-stopped
 * @param restartCount how often the supervisor restarted it
 * @param detached     started by the supervisor (berth run -d), which is its parent
 * @param aliases      more names it answers to in its network's DNS (--network-alias)
 */
public record ContainerRecord(
        String id,
        String name,
        String image,
        String rootfs,
        List<String> command,
        String created,
        Status status,
        int pid,
        long pidStartTime,
        Integer exitCode,
        String startedAt,
        String finishedAt,
        boolean autoRemove,
        String network,
        Attachment attachment,
        List<PortMapping> ports,
        boolean oomKilled,
        String restartPolicy,
        int restartCount,
        boolean detached,
        List<String> aliases) {

    public enum Status { CREATED, RUNNING, EXITED }

    public ContainerRecord {
        command = List.copyOf(command);
        ports = ports == null ? List.of() : List.copyOf(ports);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    public ContainerRecord running(int pid, long pidStartTime, String startedAt) {
        return new ContainerRecord(id, name, image, rootfs, command, created, Status.RUNNING, pid, pidStartTime,
                null, startedAt, null, autoRemove, network, attachment, ports, false, restartPolicy, restartCount, detached, aliases);
    }

    public ContainerRecord exited(Integer exitCode, String finishedAt, boolean oomKilled) {
        return new ContainerRecord(id, name, image, rootfs, command, created, Status.EXITED, 0, 0, exitCode,
                startedAt, finishedAt, autoRemove, network, attachment, ports, oomKilled, restartPolicy, restartCount,
                detached, aliases);
    }

    /** The same container, about to start again (after a restart policy's decision or berth start). */
    public ContainerRecord restarting(int ownerPid, long ownerStartTime, Attachment newAttachment, int count,
                                      boolean detachedNow) {
        return new ContainerRecord(id, name, image, rootfs, command, created, Status.CREATED, ownerPid, ownerStartTime,
                null, startedAt, finishedAt, autoRemove, network, newAttachment, ports, false, restartPolicy, count,
                detachedNow, aliases);
    }

    public String shortId() {
        return id.substring(0, 12);
    }
}
