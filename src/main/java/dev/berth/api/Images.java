package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.image.BusyboxImage;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageStore;
import dev.berth.image.TarImporter;
import dev.berth.state.ContainerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** berth's images: the built-in busybox, imported tarballs, and their removal while no container uses them. */
final class Images {
    private final ImageStore store;
    private final Supplier<List<ContainerRecord>> containers;

    Images(ImageStore store, Supplier<List<ContainerRecord>> containers) {
        this.store = store;
        this.containers = containers;
    }

    List<ImageRecord> list() {
        return store.list();
    }

    boolean exists(String name) {
        return store.exists(name);
    }

    ImageRecord createBusybox() {
        return BusyboxImage.create(store);
    }

    /** Creates the built-in busybox image unless it exists (or a concurrent berth just created it). */
    void ensureBusybox() {
        try {
            createBusybox();
        } catch (BerthException e) {
            if (!store.exists(BusyboxImage.NAME)) {
                throw e;
            }
        }
    }

    ImageRecord importTar(Path tar, String name) {
        if (!Files.isRegularFile(tar)) {
            throw new BerthException("no such file: " + tar);
        }
        return store.add(name, tar.toAbsolutePath().toString(), List.of(), rootfs -> TarImporter.unpack(tar, rootfs));
    }

    void remove(String name) {
        store.get(name);
        List<String> users = containers.get().stream().filter(c -> name.equals(c.image())).map(ContainerRecord::name).toList();
        if (!users.isEmpty()) {
            throw new BerthException("image " + name + " is in use by container(s) " + String.join(", ", users)
                    + ": remove them first");
        }
        store.remove(name);
    }
}
