package dev.berth.api;

import dev.berth.network.Networks;
import dev.berth.state.Attachment;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code berth gc}: records reconciled with the processes that exist, then every kernel object and
 * reservation that no live container owns removed, and what a live one lost (a pin, its veth pair) put back.
 */
final class Maintenance {
    private final ContainerStore containers;
    private final ContainerLifecycle lifecycle;
    private final ContainerNetworking networking;
    private final Networks networks;
    private final ContainerCgroups cgroups;
    private final Volumes volumes;

    Maintenance(ContainerStore containers, ContainerLifecycle lifecycle, ContainerNetworking networking, Networks networks,
                ContainerCgroups cgroups, Volumes volumes) {
        this.volumes = volumes;
        this.containers = containers;
        this.lifecycle = lifecycle;
        this.networking = networking;
        this.networks = networks;
        this.cgroups = cgroups;
    }

    /** Returns what went, and what came back. */
    List<String> gc() {
        return containers.locked(() -> {
            lifecycle.reconcileLocked();
            List<ContainerRecord> live = containers.list().stream()
                    .filter(r -> r.status() != ContainerRecord.Status.EXITED).toList();
            List<ContainerRecord> attached = live.stream().filter(r -> r.attachment() != null).toList();
            Set<String> liveIds = live.stream().map(ContainerRecord::id).collect(Collectors.toSet());
            List<String> removed = networks.gc(liveIds,
                    attached.stream().flatMap(r -> r.attachments().stream()).map(Attachment::hostInterface)
                            .collect(Collectors.toSet()),
                    attached.stream().map(r -> r.attachment().visiblePath()).collect(Collectors.toSet()),
                    containers.list().stream().filter(r -> r.status() == ContainerRecord.Status.EXITED && r.attachment() != null)
                            .map(r -> r.attachment().visiblePath()).collect(Collectors.toSet()));
            networking.syncFirewall();
            for (ContainerRecord r : attached) {
                if (r.status() == ContainerRecord.Status.RUNNING) {
                    networks.repin(r.attachment(), r.pid()).forEach(pin -> removed.add("restored namespace pin " + pin));
                    for (Attachment a : r.attachments()) {
                        if (networks.rewire(a, ContainerNetworking.label(r), a == r.attachment())) {
                            removed.add("restored veth " + a.hostInterface() + " of " + r.name());
                        }
                    }
                }
            }
            removed.addAll(cgroups.gc(liveIds));
            removed.addAll(volumes.gcLocked());
            return removed;
        });
    }
}
