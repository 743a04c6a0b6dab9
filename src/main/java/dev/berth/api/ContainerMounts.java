package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.spec.MountSpec;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;
import dev.berth.state.MountPoint;
import dev.berth.volume.MountRequest;
import dev.berth.volume.VolumeStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container's binds, volumes and tmpfs mounts, from what the user asked (-v, --mount, --tmpfs,
 * --volumes-from) and what the image declares (VOLUME), checked against the host and turned into OCI
 * mounts, with Docker's rules: one mount per target, the user's before --volumes-from's before the
 * image's; a missing volume is created (anonymous ones for a bare target and each image VOLUME), and a
 * new volume is filled from the image; parents are mounted before what is below them. Also what goes
 * with a container when it is removed: its anonymous volumes, unless another container uses them.
 */
final class ContainerMounts {
    private static final List<String> TMPFS_DEFAULTS = List.of("noexec", "nosuid", "nodev");

    private final VolumeStore volumes;
    private final ContainerStore containers;

    ContainerMounts(VolumeStore volumes, ContainerStore containers) {
        this.volumes = volumes;
        this.containers = containers;
    }

    /** The mounts, resolved: what the runtime mounts, and what the record keeps. */
    record Resolved(List<MountSpec> specs, List<MountPoint> points) {
        static final Resolved NONE = new Resolved(List.of(), List.of());
    }

    /**
     * Resolves the mounts, creating the volumes that do not exist yet (each undone by rollback). Called
     * under the containers lock.
     */
    Resolved resolve(RunOptions.Storage storage, List<String> imageVolumes, Rollback rollback) {
        Map<String, Planned> byTarget = new LinkedHashMap<>();
        for (MountRequest request : storage.mounts()) {
            String target = normalize(request.target());
            if (byTarget.putIfAbsent(target, new Planned(request, null)) != null) {
                throw new BerthException("duplicate mount point: " + target);
            }
        }
        for (String from : storage.volumesFrom()) {
            inheritFrom(from, byTarget);
        }
        for (String path : imageVolumes) {
            byTarget.putIfAbsent(normalize(path), new Planned(MountRequest.volume(null, path, false), null));
        }
        List<MountSpec> specs = new ArrayList<>();
        List<MountPoint> points = new ArrayList<>();
        byTarget.entrySet().stream()
                .sorted(Comparator.comparingInt(e -> Path.of(e.getKey()).getNameCount()))
                .forEach(e -> {
                    Planned planned = e.getValue();
                    MountPoint point = planned.inherited() != null
                            ? planned.inherited() : point(planned.request(), e.getKey(), rollback);
                    points.add(point);
                    specs.add(spec(point, planned.request()));
                });
        return new Resolved(specs, points);
    }

    /** One mount to make: asked for (request), or taken over from another container (inherited). */
    private record Planned(MountRequest request, MountPoint inherited) {}

    /** --volumes-from CONTAINER[:ro|:rw]: its binds and volumes, at the same targets, unless already taken. */
    private void inheritFrom(String from, Map<String, Planned> byTarget) {
        String[] parts = from.split(":", 2);
        String mode = parts.length > 1 ? parts[1] : "";
        if (!mode.isEmpty() && !mode.equals("ro") && !mode.equals("rw")) {
            throw new BerthException("invalid --volumes-from '" + from + "': mode must be ro or rw");
        }
        ContainerRecord source = containers.find(parts[0]);
        for (MountPoint m : source.mounts()) {
            if (m.type().equals("tmpfs")) {
                continue;
            }
            boolean readOnly = mode.isEmpty() ? m.readOnly() : mode.equals("ro");
            byTarget.putIfAbsent(m.destination(), new Planned(null,
                    new MountPoint(m.type(), m.name(), m.source(), m.destination(), readOnly, m.propagation(), false)));
        }
    }

    private MountPoint point(MountRequest request, String target, Rollback rollback) {
        return switch (request.type()) {
            case BIND -> new MountPoint("bind", null, bindSource(request), target, request.readonly(),
                    request.propagation() != null ? request.propagation() : "rprivate", false);
            case VOLUME -> {
                boolean anonymous = request.source() == null;
                String name = anonymous ? VolumeStore.anonymousName() : request.source();
                if (volumes.get(name).isEmpty()) {
                    volumes.create(name, Map.of(), anonymous);
                    rollback.add(() -> volumes.remove(name));
                }
                yield new MountPoint("volume", name, volumes.data(name).toString(), target, request.readonly(), "", anonymous);
            }
            case TMPFS -> new MountPoint("tmpfs", null, null, target, request.readonly(), "", false);
        };
    }

    /** A bind's host path: absolute, normalised; a missing one is made for -v and refused for --mount. */
    private static String bindSource(MountRequest request) {
        Path source = Path.of(request.source()).normalize();
        if (!Files.exists(source)) {
            if (!request.createSource()) {
                throw new BerthException("invalid mount config for type \"bind\": bind source path does not exist: " + source);
            }
            try {
                Files.createDirectories(source);
            } catch (IOException e) {
                throw new BerthException("cannot create bind source " + source + ": " + e.getMessage(), e);
            }
        }
        return source.toString();
    }

    /** The OCI mount of a point; request is null for an inherited one (never filled from the image). */
    static MountSpec spec(MountPoint point, MountRequest request) {
        String access = point.readOnly() ? "ro" : "rw";
        return switch (point.type()) {
            case "bind" -> new MountSpec(point.destination(), "bind", point.source(), List.of("rbind", access, point.propagation()));
            case "volume" -> {
                List<String> options = new ArrayList<>(List.of("rbind", access, "rprivate"));
                if (request != null && !request.noCopy()) {
                    options.add("copyup");
                }
                yield new MountSpec(point.destination(), "bind", point.source(), options);
            }
            default -> new MountSpec(point.destination(), "tmpfs", "tmpfs", tmpfsOptions(request, point.readOnly()));
        };
    }

    /** Docker's tmpfs defaults (noexec, nosuid, nodev), which the user's exec, suid, dev undo. */
    private static List<String> tmpfsOptions(MountRequest request, boolean readOnly) {
        Set<String> options = new LinkedHashSet<>(TMPFS_DEFAULTS);
        for (String option : request.tmpfsOptions()) {
            switch (option) {
                case "exec", "suid", "dev" -> options.remove("no" + option);
                default -> options.add(option);
            }
        }
        if (readOnly) {
            options.add("ro");
        }
        return List.copyOf(options);
    }

    private static String normalize(String target) {
        return Path.of(target).normalize().toString();
    }

    /**
     * The anonymous volumes of a container going away, removed unless another container still uses
     * them (Docker's rm -v and run --rm). Called under the containers lock, after its record is gone.
     */
    void releaseAnonymous(ContainerRecord gone) {
        for (MountPoint m : gone.mounts()) {
            if (m.isVolume() && m.anonymous() && users(m.name()).isEmpty() && volumes.get(m.name()).isPresent()) {
                volumes.remove(m.name());
            }
        }
    }

    /** The containers that mount a volume. */
    List<ContainerRecord> users(String volume) {
        return containers.list().stream().filter(r -> r.usesVolume(volume)).toList();
    }
}
