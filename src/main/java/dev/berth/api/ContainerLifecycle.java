package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.Trace;
import dev.berth.cgroup.Cgroup;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.json.Json;
import dev.berth.linux.Libc;
import dev.berth.linux.Procfs;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.runtime.Overlay;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.Signals;
import dev.berth.state.Attachment;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;
import dev.berth.state.PortMapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A container from creation to removal: recorded before any kernel object exists, started, finished,
 * restarted, removed. A creation that fails half-way goes back through one path ({@link #abandon}), and a
 * record whose process vanished is reconciled by the next command.
 */
final class ContainerLifecycle {
    private final BerthPaths paths;
    private final ImageStore images;
    private final ContainerStore containers;
    private final ContainerNetworking networking;
    private final ContainerCgroups cgroups;
    private final ContainerMounts mounts;

    ContainerLifecycle(BerthPaths paths, ImageStore images, ContainerStore containers, ContainerNetworking networking,
                       ContainerCgroups cgroups, ContainerMounts mounts) {
        this.paths = paths;
        this.images = images;
        this.containers = containers;
        this.networking = networking;
        this.cgroups = cgroups;
        this.mounts = mounts;
    }

    /** Checks options, then records the container, prepares its files and sets up its network. */
    Container create(RunOptions options) {
        if (Libc.geteuid() != 0) {
            throw new BerthException("berth must run as root (try: sudo berth ...)");
        }
        Trace.mark("root checked");
        ImageRecord image = options.rootfs() != null ? null : images.get(options.image());
        List<Path> lowers = image != null ? images.lowerDirs(image) : List.of(rootfsDirectory(options.rootfs()));
        Trace.mark("image read");
        Container container = containers.locked(() -> {
            reconcileLocked();
            String name = options.name() != null ? options.name() : Names.generate();
            if (!Names.isValid(name)) {
                throw new BerthException("invalid container name '" + Names.printable(name) + "': use letters, digits, '_', '.' and '-'");
            }
            containers.byName(name).ifPresent(holder -> {
                throw new BerthException("the container name '" + name + "' is already in use by container "
                        + holder.shortId() + ": remove it (berth rm " + name + ") or choose another name");
            });
            String id = Names.newId();
            List<PortMapping> ports = networking.publications(options.network(),
                    image == null ? List.of() : image.config().exposedPorts());
            ContainerNetworking.Endpoint endpoint = networking.plan(options.network(), id, name);
            Rollback rollback = new Rollback();
            rollback.add(() -> networking.release(id, endpoint));
            try {
                ContainerMounts.Resolved mounted = mounts.resolve(options.storage(),
                        image == null ? List.of() : image.config().volumes(), rollback);
                ContainerSpec spec = SpecConverter.convert(options, image, lowers, name, paths.mergedDir(id), System.getenv(),
                        endpoint.placement(), mounted.specs());
                int self = Libc.getpid();
                ContainerRecord record = ContainerRecord.beingCreated(id, name, Instant.now().toString(),
                        new ContainerRecord.Source(options.image(), image == null ? null : image.id(),
                                lowers.getFirst().toString(), lowers.stream().map(Path::toString).toList(),
                                spec.process().args(), mounted.points(), options.labels()),
                        self, Procfs.startTime(self).orElse(0),
                        new ContainerRecord.Network(options.network().mode(), endpoint.attachment(), ports,
                                options.network().aliases().stream().map(a -> a.toLowerCase(Locale.ROOT)).toList()),
                        new ContainerRecord.Policy(options.lifecycle().autoRemove(),
                                RestartPolicy.parse(options.lifecycle().restart()).text(), 0, options.lifecycle().detach(),
                                stopSignal(options, image)));
                containers.create(record); // recorded before any kernel object exists: a crash can be cleaned up
                rollback.add(() -> abandonLocked(record));
                Json.writeAtomically(paths.containerConfig(id), spec);
                networking.writeEtcFiles(paths.upperDir(id), spec.hostname(), options.network(), endpoint);
                return new Container(record, spec, new Overlay(lowers, paths.upperDir(id), paths.workDir(id)));
            } catch (RuntimeException e) {
                throw rollback.undo(e);
            }
        });
        Trace.mark("recorded");
        if (container.record().attachment() != null) {
            wireOrAbandon(container.record());
            Trace.mark("network set up");
        }
        return container;
    }

    /** --stop-signal, else the image's StopSignal; null for SIGTERM. */
    private static Integer stopSignal(RunOptions options, ImageRecord image) {
        String name = options.lifecycle().stopSignal() != null ? options.lifecycle().stopSignal()
                : image != null ? image.config().stopSignal() : null;
        return name == null ? null : Signals.parse(name);
    }

    private static Path rootfsDirectory(String rootfs) {
        Path dir = Path.of(rootfs).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new BerthException("rootfs " + rootfs + " is not a directory");
        }
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                throw new BerthException("rootfs " + rootfs + " is empty");
            }
        } catch (IOException e) {
            throw new BerthException("cannot read rootfs " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** The recorded network, set up; on failure the container goes as if it had never been made. */
    private void wireOrAbandon(ContainerRecord record) {
        try {
            networking.wire(record);
        } catch (RuntimeException e) {
            containers.locked(() -> {
                abandonLocked(record);
                mounts.releaseAnonymous(record);
                return null;
            });
            throw e;
        }
    }

    /**
     * Starts a created container's first process inside its own control group (made first, so the
     * command never runs unlimited), and records it as running.
     */
    ContainerProcess start(Container container, ContainerStarter.Stdio stdio) {
        ContainerProcess process;
        try {
            Cgroup group = cgroups.create(container.record().id(), container.spec().linux());
            process = ContainerStarter.start(container.spec(), container.overlay(), stdio,
                    ContainerCgroups.confinementOf(group));
        } catch (RuntimeException e) {
            finished(container.record(), null);
            throw e;
        }
        containers.update(container.record().running(process.pid(), Procfs.startTime(process.pid()).orElse(0),
                Instant.now().toString()));
        return process;
    }

    /** Records that the container's process ended (with exitCode, when known); --rm containers go away. */
    void finished(ContainerRecord record, Integer exitCode) {
        containers.locked(() -> {
            if (!Files.exists(paths.containerRecord(record.id()))) {
                return null; // removed meanwhile (berth rm -f)
            }
            networking.tearDown(record);
            boolean oomKilled = cgroups.release(record.id());
            if (record.autoRemove()) {
                containers.remove(record.id());
                mounts.releaseAnonymous(record);
            } else {
                containers.update(containers.read(record.id())
                        .exited(exitCode, Instant.now().toString(), oomKilled));
            }
            if (record.attachment() != null) {
                networking.syncFirewall(Explain.NONE); // its published ports go
            }
            return null;
        });
    }

    /**
     * An exited container made ready to start again (berth start, a restart policy): its network is set
     * up anew, with the same address when it is still free. The caller starts it.
     */
    Container prepareRestart(String nameOrId, boolean detached, boolean countsAsRestart) {
        int self = Libc.getpid();
        Container container = containers.locked(() -> {
            reconcileLocked();
            ContainerRecord record = containers.find(nameOrId);
            if (record.status() != ContainerRecord.Status.EXITED) {
                throw new BerthException("container " + record.name() + " is " + record.status().name().toLowerCase(Locale.ROOT)
                        + ", not exited");
            }
            ContainerSpec spec = Json.read(paths.containerConfig(record.id()), ContainerSpec.class);
            Attachment attachment = networking.replan(record);
            ContainerRecord again = record.restarting(self, Procfs.startTime(self).orElse(0), attachment,
                    networking.replanJoined(record, attachment), record.restartCount() + (countsAsRestart ? 1 : 0), detached);
            containers.update(again);
            return new Container(again, spec, new Overlay(record.lowerDirs().stream().map(Path::of).toList(), paths.upperDir(record.id()),
                    paths.workDir(record.id())));
        });
        if (container.record().attachment() != null) {
            try {
                networking.wire(container.record());
            } catch (RuntimeException e) {
                finished(container.record(), null);
                throw e;
            }
        }
        return container;
    }

    /** Renames a container (running or not); the new name must be free. */
    void rename(String nameOrId, String newName) {
        if (!Names.isValid(newName)) {
            throw new BerthException("invalid container name '" + Names.printable(newName) + "'");
        }
        containers.locked(() -> {
            reconcileLocked();
            ContainerRecord r = containers.find(nameOrId);
            containers.byName(newName).ifPresent(holder -> {
                throw new BerthException("the container name '" + newName + "' is already in use by container " + holder.shortId());
            });
            containers.update(r.renamed(newName));
            return null;
        });
    }

    /**
     * Removes a container; a running one only with force, which kills it first. With volumes, its
     * anonymous volumes go too (rm -v), unless another container uses them.
     */
    ContainerRecord remove(String nameOrId, boolean force, boolean volumes) {
        return containers.locked(() -> {
            reconcileLocked();
            ContainerRecord record = containers.find(nameOrId);
            if (record.status() == ContainerRecord.Status.RUNNING) {
                if (!force) {
                    throw new BerthException("container " + record.name() + " is running: stop it first or use rm -f");
                }
                Pidfds.kill(record);
            }
            abandonLocked(record);
            if (volumes) {
                mounts.releaseAnonymous(record);
            }
            return record;
        });
    }

    /** Takes away everything of a container: its network objects, its group and its record. */
    private void abandonLocked(ContainerRecord record) {
        networking.tearDown(record);
        cgroups.release(record.id());
        containers.remove(record.id());
        if (record.attachment() != null) {
            networking.syncFirewall(Explain.NONE);
        }
    }

    /** Every container record, after reconciling records with the processes that really exist. */
    List<ContainerRecord> containers() {
        return containers.locked(() -> {
            reconcileLocked();
            return containers.list();
        });
    }

    ContainerRecord inspect(String nameOrId) {
        return containers.locked(() -> {
            reconcileLocked();
            return containers.find(nameOrId);
        });
    }

    /** A container that must be running for what the caller does. */
    ContainerRecord running(String nameOrId) {
        ContainerRecord record = inspect(nameOrId);
        if (record.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("container " + record.name() + " is not running");
        }
        return record;
    }

    /**
     * A record whose process is gone is stale: berth was interrupted (kill -9) while creating it, or the
     * container ended with no berth process watching. Half-created containers and --rm ones are removed;
     * others are marked exited with an unknown status. Called under the containers lock.
     */
    void reconcileLocked() {
        for (ContainerRecord record : containers.list()) {
            if (record.status() == ContainerRecord.Status.EXITED
                    || Procfs.isAlive(record.pid(), record.pidStartTime())) {
                continue;
            }
            networking.tearDown(record);
            boolean oomKilled = cgroups.release(record.id());
            if (record.status() == ContainerRecord.Status.CREATED || record.autoRemove()) {
                containers.remove(record.id());
                mounts.releaseAnonymous(record);
            } else {
                containers.update(record.exited(null, Instant.now().toString(), oomKilled));
            }
        }
        networking.restoreFirewall();
    }
}
