package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.image.BusyboxImage;
import dev.berth.image.ImageArchive;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageReference;
import dev.berth.image.ImageStore;
import dev.berth.image.LocalImages;
import dev.berth.image.Platform;
import dev.berth.registry.Credentials;
import dev.berth.registry.ImagePuller;
import dev.berth.image.PullProgress;
import dev.berth.registry.RegistryClient;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * berth's images: pulled from registries, the built-in busybox, imported tarballs; removed while no
 * container uses them, their layers with the last image that has them.
 */
final class Images {
    /** Registries that may be spoken to over plain HTTP besides those on loopback (Docker's insecure-registries). */
    static final String INSECURE_ENV = "BERTH_INSECURE_REGISTRIES";

    private final BerthPaths paths;
    private final ImageStore store;
    private final Supplier<List<ContainerRecord>> containers;

    Images(BerthPaths paths, ImageStore store, Supplier<List<ContainerRecord>> containers) {
        this.paths = paths;
        this.store = store;
        this.containers = containers;
    }

    List<ImageRecord> list() {
        return store.list();
    }

    boolean exists(String name) {
        return store.exists(name);
    }

    ImageRecord get(String name) {
        return store.get(name);
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
        return LocalImages.importTar(store, tar, name);
    }

    ImageRecord pull(String reference, Platform platform, PullProgress progress, Map<String, String> env) {
        ImageReference ref = ImageReference.parse(reference);
        RegistryClient client = RegistryClient.connect(ref.domain(), credentials(env).find(ref.domain()), insecure(env));
        return new ImagePuller(store, client, progress).pull(ref, platform);
    }

    /** Loads the images of a {@code save} archive (OCI layout or docker save); returns "Loaded image:" lines. */
    List<String> load(java.io.InputStream archive, Platform platform, PullProgress progress) {
        Path staging = paths.images().resolve(".load-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            return new ImageArchive(store).load(archive, staging, platform, progress);
        } catch (java.io.IOException e) {
            throw new BerthException("cannot load the archive: " + e.getMessage(), e);
        }
    }

    /** Writes images (by name or id) as one archive to file, atomically: a failed save leaves no file. */
    void save(List<String> names, Path file) {
        List<ImageRecord> images = names.stream().map(store::get).toList();
        Path tmp = file.resolveSibling("." + file.getFileName() + ".berth-save-" + System.nanoTime());
        try {
            try (java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp), 1 << 16)) {
                new ImageArchive(store).save(images, out);
            }
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new BerthException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(tmp);
            } catch (java.io.IOException ignored) {
                // best effort
            }
        }
    }

    /** Checks the login against the registry, then keeps it for later pulls. */
    void login(String registry, Credentials.Login login, Map<String, String> env) {
        RegistryClient.connect(registry, java.util.Optional.of(login), insecure(env)).ping();
        credentials(env).store(registry, login);
    }

    boolean logout(String registry, Map<String, String> env) {
        return credentials(env).remove(registry);
    }

    private Credentials credentials(Map<String, String> env) {
        return Credentials.standard(paths.root().resolve("auth.json"), env);
    }

    private static Set<String> insecure(Map<String, String> env) {
        String list = env.getOrDefault(INSECURE_ENV, "");
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    /** Gives source's image the name target too (taken from any image that had it). */
    ImageRecord tag(String source, String target) {
        if (!ImageReference.isValid(target)) {
            throw new BerthException("invalid reference format: " + target);
        }
        ImageRecord image = store.get(source);
        String name = ImageReference.parse(target).toString();
        List<String> names = new java.util.ArrayList<>(image.names());
        if (!names.contains(name)) {
            names.add(name);
        }
        return store.commit(image.withNames(names, image.repoDigests()));
    }

    /** Removes a name, or the image when it was its last (Docker's "Untagged:" / "Deleted:" lines). */
    List<String> remove(String name) {
        ImageRecord image = store.get(name);
        if (!ImageStore.untagsOnly(image, name)) {
            List<String> users = containers.get().stream().filter(c -> uses(c, image)).map(ContainerRecord::name).toList();
            if (!users.isEmpty()) {
                throw new BerthException("image " + name + " is in use by container(s) " + String.join(", ", users)
                        + ": remove them first");
            }
        }
        return store.remove(name, layersInUse());
    }

    /** Removes images without a name that no container uses, then layers nothing uses. Returns what went. */
    List<String> prune(java.util.function.Predicate<ImageRecord> chosen) {
        List<String> done = new java.util.ArrayList<>();
        List<ContainerRecord> all = containers.get();
        for (ImageRecord image : store.list()) {
            if (image.names().isEmpty() && chosen.test(image) && all.stream().noneMatch(c -> uses(c, image))) {
                done.addAll(store.remove(image.id(), layersInUse()));
            }
        }
        store.pruneLayers(layersInUse()).forEach(key -> done.add("Deleted layer: sha256:" + key));
        return done;
    }

    private static boolean uses(ContainerRecord container, ImageRecord image) {
        return container.imageId() != null ? container.imageId().equals(image.id())
                : image.names().stream().anyMatch(n -> ImageReference.parse(n).familiar().equals(container.image())
                        || ImageReference.parse(n).familiar().equals(container.image() + ":latest"));
    }

    /** The layer directories containers run on (an image may be gone while its container still runs on them). */
    private Set<String> layersInUse() {
        Set<String> keys = new HashSet<>();
        Path layers = paths.imageLayers();
        for (ContainerRecord c : containers.get()) {
            for (String dir : c.lowerDirs()) {
                Path p = Path.of(dir);
                if (layers.equals(p.getParent())) {
                    keys.add(p.getFileName().toString());
                }
            }
        }
        return keys;
    }
}
