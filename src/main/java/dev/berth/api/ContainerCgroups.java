package dev.berth.api;

import dev.berth.cgroup.Cgroup;
import dev.berth.cgroup.Cgroups;
import dev.berth.cgroup.DeviceRule;
import dev.berth.cgroup.Resources;
import dev.berth.runtime.Confinement;
import dev.berth.spec.LinuxSpec;
import dev.berth.spec.ResourcesSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The control groups of berth's containers, one per container id under $BERTH_CGROUP_PARENT (berth). */
final class ContainerCgroups {
    private final String parent;
    private volatile Cgroups cgroups;

    /** @param parent the installation's parent group (berth, berth-ID), unless BERTH_CGROUP_PARENT names one */
    ContainerCgroups(String parent) {
        this.parent = System.getenv().getOrDefault("BERTH_CGROUP_PARENT", parent);
    }

    /** The host's cgroup layout, found on first use. */
    Cgroups layout() {
        Cgroups c = cgroups;
        if (c == null) {
            c = Cgroups.detect(parent);
            cgroups = c;
        }
        return c;
    }

    /** A container's group with its limits and its device allow-list, before anything runs in it. */
    Cgroup create(String id, LinuxSpec linux) {
        List<DeviceRule> devices = linux.deviceAllow().stream().map(DeviceRule::parse).toList();
        Cgroup group = layout().create(id, Resources.of(linux.resources()));
        try {
            group.restrictDevices(devices);
        } catch (RuntimeException e) {
            group.destroy();
            throw e;
        }
        return group;
    }

    Cgroup open(String id) {
        return layout().open(id);
    }

    /** Removes a container's group; returns whether the OOM killer struck in it. */
    boolean release(String id) {
        Cgroup group = open(id);
        boolean oomKilled = group.oomKilled();
        group.destroy();
        layout().removeParentIfEmpty();
        return oomKilled;
    }

    /** Removes the groups of containers not in live; returns what went. */
    List<String> gc(Set<String> live) {
        List<String> removed = new ArrayList<>();
        for (String id : layout().ids()) {
            if (!live.contains(id)) {
                Cgroup group = open(id);
                group.destroy();
                if (!java.nio.file.Files.exists(java.nio.file.Path.of(group.path()))) {
                    removed.add("cgroup " + id);
                }
            }
        }
        layout().removeParentIfEmpty();
        return removed;
    }


    /** The runtime's view of a cgroup: where the spawner thread and the new process go. */
    static Confinement confinementOf(Cgroup group) {
        return Confinement.of(group::enterCallingThread, group::addProcess);
    }
}
