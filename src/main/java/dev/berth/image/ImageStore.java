package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.json.Json;
import dev.berth.state.BerthPaths;
import dev.berth.state.Directories;
import dev.berth.state.FileLock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The content-addressed image store under the state root:
 * <pre>
 * images/layers/KEY/         a layer, unpacked once, shared by every image that has it (an overlay lower dir)
 * images/blobs/sha256/HEX    manifests and image configurations, by digest
 * images/records/ID.json     an image: its names, its layers, its configuration
 * </pre>
 * A layer is unpacked in a staging directory and renamed into place, so a half-written layer never has
 * a key; a layer's lock makes concurrent pulls of it wait for the one that unpacks it.
 */
public final class ImageStore {
    private final BerthPaths paths;

    public ImageStore(BerthPaths paths) {
        this.paths = paths;
    }

    // ---- images --------------------------------------------------------------------------------------

    /** An image by name (any form Docker accepts), by id, or by a prefix of at least 4 hex digits of its id. */
    public Optional<ImageRecord> find(String nameOrId) {
        List<ImageRecord> all = list();
        String hex = nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId;
        if (hex.matches("[0-9a-f]{4,64}")) {
            List<ImageRecord> byId = all.stream().filter(i -> i.digest().hex().startsWith(hex)).toList();
            if (byId.size() == 1) {
                return Optional.of(byId.getFirst());
            }
        }
        if (!ImageReference.isValid(nameOrId)) {
            return Optional.empty();
        }
        ImageReference ref = ImageReference.parse(nameOrId);
        String wanted = ref.toString();
        return all.stream().filter(i -> i.names().contains(wanted) || i.repoDigests().contains(wanted)).findFirst();
    }

    public boolean exists(String nameOrId) {
        return find(nameOrId).isPresent();
    }

    public ImageRecord get(String nameOrId) {
        return find(nameOrId).orElseThrow(() -> new BerthException("no such image: " + nameOrId));
    }

    public List<ImageRecord> list() {
        if (!Files.isDirectory(paths.imageRecords())) {
            return List.of();
        }
        List<ImageRecord> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(paths.imageRecords())) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().endsWith(".json")) {
                    images.add(Json.read(file, ImageRecord.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list images", e);
        }
        images.sort(Comparator.comparing(ImageRecord::displayName));
        return images;
    }

    /** The image's layers as overlay lower directories: top first, as overlayfs lists them. */
    public List<Path> lowerDirs(ImageRecord image) {
        return image.layers().reversed().stream().map(paths::imageLayer).toList();
    }

    /**
     * Records an image. Its names are taken from any other image that had them (a tag moves), and an
     * image with the same id gains them. Returns the record as stored.
     */
    public ImageRecord commit(ImageRecord image) {
        for (String key : image.layers()) {
            if (!hasLayer(key)) {
                throw new IllegalStateException("layer " + key + " is not in the store");
            }
        }
        try (FileLock ignored = FileLock.acquire(paths.lock("images"))) {
            Files.createDirectories(paths.imageRecords());
            ImageRecord stored = image;
            for (ImageRecord other : list()) {
                if (other.id().equals(image.id())) {
                    stored = image.withNames(union(other.names(), image.names()), union(other.repoDigests(), image.repoDigests()));
                } else if (other.names().stream().anyMatch(image.names()::contains)) {
                    List<String> kept = other.names().stream().filter(n -> !image.names().contains(n)).toList();
                    write(other.withNames(kept, other.repoDigests()));
                }
            }
            write(stored);
            return stored;
        } catch (IOException e) {
            throw new BerthException("cannot record image " + image.displayName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes a name from its image, or the image itself when it is given by id or that was its last
     * name; layers no image and no container (layersInUse) uses go too. Returns what went, Docker's way:
     * "Untagged: NAME" and "Deleted: ID" lines.
     */
    public List<String> remove(String nameOrId, Set<String> layersInUse) {
        ImageRecord image = get(nameOrId);
        List<String> done = new ArrayList<>();
        try (FileLock ignored = FileLock.acquire(paths.lock("images"))) {
            if (untagsOnly(image, nameOrId)) {
                String name = ImageReference.parse(nameOrId).toString();
                write(image.withNames(image.names().stream().filter(n -> !n.equals(name)).toList(), image.repoDigests()));
                return List.of("Untagged: " + ImageReference.parse(name).familiar());
            }
            image.names().forEach(n -> done.add("Untagged: " + ImageReference.parse(n).familiar()));
            Files.deleteIfExists(paths.imageRecord(image.digest().hex()));
            done.add("Deleted: " + image.id());
        } catch (IOException e) {
            throw new BerthException("cannot remove image " + nameOrId + ": " + e.getMessage(), e);
        }
        pruneLayers(layersInUse);
        return done;
    }

    /** Whether removing image by nameOrId only takes a name away: it is one of several names the image has. */
    public static boolean untagsOnly(ImageRecord image, String nameOrId) {
        return image.names().size() > 1 && ImageReference.isValid(nameOrId)
                && image.names().contains(ImageReference.parse(nameOrId).toString());
    }

    private void write(ImageRecord image) {
        Json.writeAtomically(paths.imageRecord(image.digest().hex()), image);
    }

    private static List<String> union(Collection<String> a, Collection<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    // ---- layers --------------------------------------------------------------------------------------

    public boolean hasLayer(String key) {
        return Files.isDirectory(paths.imageLayer(key));
    }

    /**
     * The most one layer may unpack to: BERTH_MAX_LAYER_SIZE (bytes, or with a k, m or g suffix; 64g by
     * default), and never more than the store's free space less 256 MiB, so no archive fills the disk.
     */
    public long maxUnpackedLayer() {
        long cap = 64L << 30;
        String setting = System.getenv("BERTH_MAX_LAYER_SIZE");
        if (setting != null && !setting.isBlank()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,15})([kmgKMG]?)").matcher(setting.strip());
            if (!m.matches()) {
                throw new dev.berth.BerthException("invalid BERTH_MAX_LAYER_SIZE '" + setting + "': expected bytes, or a number with k, m or g");
            }
            int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                default -> 0;
            };
            cap = Long.parseLong(m.group(1)) << shift;
        }
        try {
            Path existing = paths.root();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null) {
                cap = Math.min(cap, Math.max(0, Files.getFileStore(existing).getUsableSpace() - (256L << 20)));
            }
        } catch (IOException e) {
            // no free-space reading: the setting alone
        }
        return cap;
    }

    public Path layerDir(String key) {
        return paths.imageLayer(key);
    }

    /**
     * Unpacks a layer under key unless it is there already; concurrent callers for the same key wait
     * for the first. A writer that fails leaves nothing behind. Returns false when the layer was there.
     */
    public boolean addLayer(String key, LayerWriter writer) {
        try (FileLock ignored = FileLock.acquire(paths.lock("layer-" + key))) {
            if (hasLayer(key)) {
                return false;
            }
            Path staging = newStaging();
            try {
                writer.write(staging);
                Files.move(staging, paths.imageLayer(key), StandardCopyOption.ATOMIC_MOVE);
                return true;
            } finally {
                Directories.deleteTree(staging);
            }
        } catch (IOException e) {
            throw new BerthException("cannot store layer " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unpacks a layer whose key is known only once it is written (an imported tarball's digest): the
     * writer returns the key; an identical layer already stored is kept and the new copy dropped.
     */
    public String addLayerByContent(KeyedLayerWriter writer) {
        Path staging = newStaging();
        try {
            String key = writer.write(staging);
            try (FileLock ignored = FileLock.acquire(paths.lock("layer-" + key))) {
                if (!hasLayer(key)) {
                    Files.move(staging, paths.imageLayer(key), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return key;
        } catch (IOException e) {
            throw new BerthException("cannot store layer: " + e.getMessage(), e);
        } finally {
            Directories.deleteTree(staging);
        }
    }

    private Path newStaging() {
        try {
            Files.createDirectories(paths.imageLayers());
            return Files.createTempDirectory(paths.imageLayers(), ".new-");
        } catch (IOException e) {
            throw new BerthException("cannot create a layer directory under " + paths.imageLayers() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the layers given (a failed pull's) unless an image lists them. */
    public void dropLayers(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        try (FileLock ignored = FileLock.acquire(paths.lock("images"))) {
            Set<String> used = new HashSet<>();
            list().forEach(i -> used.addAll(i.layers()));
            for (String key : keys) {
                if (!used.contains(key)) {
                    deleteLayer(key);
                }
            }
        } catch (IOException e) {
            throw new BerthException("cannot remove layers: " + e.getMessage(), e);
        }
    }

    private void deleteLayer(String key) throws IOException {
        Path doomed = paths.imageLayers().resolve(".rm-" + key + "-" + System.nanoTime());
        Files.move(paths.imageLayer(key), doomed, StandardCopyOption.ATOMIC_MOVE);
        Directories.deleteTree(doomed);
    }

    /** Deletes layers no image lists and no container runs on, and staging left by a crash. Returns their keys. */
    public List<String> pruneLayers(Set<String> layersInUse) {
        if (!Files.isDirectory(paths.imageLayers())) {
            return List.of();
        }
        // blobs go with the images too (see pruneBlobs)
        try (FileLock ignored = FileLock.acquire(paths.lock("images"))) {
            Set<String> used = new HashSet<>(layersInUse);
            list().forEach(i -> used.addAll(i.layers()));
            pruneBlobs();
            List<String> gone = new ArrayList<>();
            try (Stream<Path> dirs = Files.list(paths.imageLayers())) {
                for (Path dir : dirs.toList()) {
                    String key = dir.getFileName().toString();
                    if (used.contains(key) || key.startsWith(".new-") && !stale(dir)) {
                        continue;
                    }
                    if (key.startsWith(".rm-")) {
                        Directories.deleteTree(dir);
                    } else {
                        deleteLayer(key);
                    }
                    gone.add(key);
                }
            }
            return gone;
        } catch (IOException e) {
            throw new BerthException("cannot prune layers: " + e.getMessage(), e);
        }
    }

    /** Staging older than a day belongs to nobody (a running pull's staging is minutes old at most). */
    private static boolean stale(Path dir) throws IOException {
        return Files.getLastModifiedTime(dir).toInstant().isBefore(java.time.Instant.now().minusSeconds(86400));
    }

    // ---- blobs ---------------------------------------------------------------------------------------

    public void putBlob(Digest digest, byte[] content) {
        if (!Digest.of(content).equals(digest)) {
            throw new IllegalArgumentException("content does not match " + digest);
        }
        Path file = blob(digest);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".new-", "");
            Files.write(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BerthException("cannot store blob " + digest + ": " + e.getMessage(), e);
        }
    }

    public Optional<byte[]> readBlob(Digest digest) {
        try {
            return Optional.of(Files.readAllBytes(blob(digest)));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BerthException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** A new, empty file in the blob store's staging area, for a blob that is being streamed in. */
    public Path newBlobFile() throws IOException {
        Path dir = paths.imageBlobs().resolve("sha256");
        Files.createDirectories(dir);
        return Files.createTempFile(dir, ".new-", "");
    }

    /** Moves a verified blob file into place under its digest. */
    public void publishBlob(Path file, Digest digest) throws IOException {
        Files.move(file, blob(digest), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The path of a blob that is in the store, for reading it in place (save). */
    public Optional<Path> blobFile(Digest digest) {
        Path file = blob(digest);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Deletes blobs no image refers to (its manifest, its configuration, its layers' compressed bytes). */
    private void pruneBlobs() throws IOException {
        Path dir = paths.imageBlobs().resolve("sha256");
        if (!Files.isDirectory(dir)) {
            return;
        }
        Set<String> used = new HashSet<>();
        for (ImageRecord image : list()) {
            used.add(image.digest().hex());
            if (image.manifest() != null) {
                Digest manifest = Digest.parse(image.manifest());
                used.add(manifest.hex());
                readBlob(manifest).ifPresent(bytes -> Manifests.image(bytes, image.displayName()).layers()
                        .forEach(l -> used.add(l.digest().hex())));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!used.contains(name) && !(name.startsWith(".new-") && !stale(file))) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private Path blob(Digest digest) {
        return paths.imageBlobs().resolve("sha256").resolve(digest.hex());
    }

    /** Writes a layer's files into an empty directory. */
    @FunctionalInterface
    public interface LayerWriter {
        void write(Path dir) throws IOException;
    }

    /** Writes a layer's files into an empty directory and returns the layer's key. */
    @FunctionalInterface
    public interface KeyedLayerWriter {
        String write(Path dir) throws IOException;
    }
}
