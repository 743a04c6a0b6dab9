package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;
import dev.berth.volume.Volume;
import dev.berth.volume.VolumeStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code berth volume create|ls|inspect|rm|prune}. Every change happens under the containers lock, so a
 * volume is never removed while a container that mounts it is being created.
 */
final class Volumes {
    private final VolumeStore store;
    private final ContainerStore containers;
    private final ContainerMounts mounts;
    private final ContainerLifecycle lifecycle;

    Volumes(VolumeStore store, ContainerStore containers, ContainerMounts mounts, ContainerLifecycle lifecycle) {
        this.store = store;
        this.containers = containers;
        this.mounts = mounts;
        this.lifecycle = lifecycle;
    }

    Volume create(String name, Map<String, String> labels) {
        return containers.locked(() -> store.create(name != null ? name : VolumeStore.anonymousName(), labels, false));
    }

    List<Volume> list() {
        return store.list();
    }

    Volume inspect(String name) {
        return store.find(name);
    }

    /** Removes an unused volume; one a container (running or not) mounts is refused, naming the containers. */
    void remove(String name) {
        containers.locked(() -> {
            lifecycle.reconcileLocked();
            store.find(name);
            List<ContainerRecord> users = mounts.users(name);
            if (!users.isEmpty()) {
                throw new BerthException("remove " + name + ": volume is in use by container "
                        + users.stream().map(r -> r.name() + " (" + r.shortId() + ")").collect(Collectors.joining(", ")));
            }
            store.remove(name);
            return null;
        });
    }

    /** Removes the unused volumes: anonymous ones, or all of them with all (Docker 23's volume prune). */
    List<String> prune(boolean all, java.util.function.Predicate<Volume> chosen) {
        return containers.locked(() -> {
            lifecycle.reconcileLocked();
            List<String> removed = new ArrayList<>();
            for (Volume volume : store.list()) {
                if ((all || volume.anonymous()) && chosen.test(volume) && mounts.users(volume.name()).isEmpty()) {
                    store.remove(volume.name());
                    removed.add(volume.name());
                }
            }
            return removed;
        });
    }

    /** Removes what a crash left under ROOT/volumes (under the caller's lock). */
    List<String> gcLocked() {
        return store.gc();
    }
}
