package dev.berth.oci;

import dev.berth.spec.ContainerSpec;
import dev.berth.spec.MountSpec;
import dev.berth.spec.NamespaceType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A config's {@code cgroup} mount made concrete, runc's way. On cgroup v1 (and this hybrid layout) a
 * tmpfs at the destination holds one read-only bind per hierarchy of the container's own group, so the
 * container sees its limits and nothing of the host's tree; on a unified host it is cgroup2 itself with
 * a cgroup namespace, or the container's group bound in without one.
 */
final class CgroupMounts {
    private CgroupMounts() {}

    static ContainerSpec expand(ContainerSpec spec, String cgroupsPath) {
        if (spec.mounts().stream().noneMatch(m -> m.type().equals("cgroup") || m.type().equals("cgroup2"))) {
            return spec;
        }
        List<Hierarchy> hierarchies = hierarchies();
        boolean v1 = hierarchies.stream().anyMatch(h -> !h.unified());
        List<MountSpec> mounts = new ArrayList<>();
        for (MountSpec mount : spec.mounts()) {
            if (!mount.type().equals("cgroup") && !mount.type().equals("cgroup2")) {
                mounts.add(mount);
                continue;
            }
            List<String> bindOptions = new ArrayList<>(List.of("rbind", "nosuid", "noexec", "nodev"));
            if (mount.options().contains("ro")) {
                bindOptions.add("ro");
            }
            if (v1) {
                mounts.add(new MountSpec(mount.destination(), "tmpfs", "tmpfs",
                        List.of("nosuid", "noexec", "nodev", "mode=755")));
                for (Hierarchy h : hierarchies) {
                    Path group = Path.of(h.mountPoint() + cgroupsPath);
                    if (!h.unified() && Files.isDirectory(group)) {
                        mounts.add(new MountSpec(mount.destination() + "/" + Path.of(h.mountPoint()).getFileName(),
                                "bind", group.toString(), bindOptions));
                    }
                }
            } else if (spec.hasNamespace(NamespaceType.CGROUP)) {
                mounts.add(new MountSpec(mount.destination(), "cgroup2", "cgroup2", mount.options()));
            } else {
                String unified = hierarchies.isEmpty() ? "/sys/fs/cgroup" : hierarchies.getFirst().mountPoint();
                mounts.add(new MountSpec(mount.destination(), "bind", unified + cgroupsPath, bindOptions));
            }
        }
        return new ContainerSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), mounts, spec.linux(),
                spec.annotations());
    }

    private record Hierarchy(String mountPoint, boolean unified) {}

    /** The host's cgroup mounts, from /proc/self/mountinfo. */
    private static List<Hierarchy> hierarchies() {
        List<Hierarchy> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ");
                if (halves.length < 2) {
                    continue;
                }
                String type = halves[1].split(" ")[0];
                if (type.equals("cgroup") || type.equals("cgroup2")) {
                    found.add(new Hierarchy(halves[0].split(" ")[4], type.equals("cgroup2")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
