package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.json.Json;
import dev.berth.state.Directories;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Images as one tar file, to move them between machines without a registry: {@code save} writes an OCI
 * image layout with Docker's {@code manifest.json} beside it (what {@code docker save} writes since 25,
 * and what {@code docker load} and {@code podman load} read); {@code load} reads that, an OCI layout
 * alone, and the older {@code docker save} archives ({@code ID/layer.tar} and friends).
 */
public final class ImageArchive {
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final String CONTAINERD_NAME = "io.containerd.image.name";

    private final ImageStore store;

    public ImageArchive(ImageStore store) {
        this.store = store;
    }

    // ---- save ----------------------------------------------------------------------------------------

    public void save(List<ImageRecord> images, OutputStream sink) throws IOException {
        Map<String, Path> blobs = new LinkedHashMap<>();
        List<Map<String, Object>> index = new ArrayList<>();
        List<Map<String, Object>> docker = new ArrayList<>();
        for (ImageRecord image : images) {
            if (image.manifest() == null) {
                throw new BerthException("image " + image.displayName() + " is made from this host's busybox-static and "
                        + "cannot be saved: make it on the other machine with: berth image create busybox");
            }
            Digest manifestDigest = Digest.parse(image.manifest());
            byte[] manifest = store.readBlob(manifestDigest).orElseThrow(() -> missing(image, manifestDigest));
            Manifests.Image content = Manifests.image(manifest, image.displayName());
            blobs.put(manifestDigest.hex(), blobPath(image, manifestDigest));
            blobs.put(content.config().digest().hex(), blobPath(image, content.config().digest()));
            List<String> layers = new ArrayList<>();
            for (Manifests.Descriptor layer : content.layers()) {
                blobs.put(layer.digest().hex(), blobPath(image, layer.digest()));
                layers.add("blobs/sha256/" + layer.digest().hex());
            }
            List<String> tags = image.names().stream().map(n -> ImageReference.parse(n).familiar()).toList();
            for (String name : image.names().isEmpty() ? List.of("") : image.names()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("mediaType", Manifests.OCI_MANIFEST);
                entry.put("digest", manifestDigest.toString());
                entry.put("size", manifest.length);
                if (!name.isEmpty()) {
                    ImageReference ref = ImageReference.parse(name);
                    entry.put("annotations", Map.of(CONTAINERD_NAME, ref.toString(), REF_NAME, ref.tag()));
                }
                index.add(entry);
            }
            Map<String, Object> legacy = new LinkedHashMap<>();
            legacy.put("Config", "blobs/sha256/" + content.config().digest().hex());
            legacy.put("RepoTags", tags);
            legacy.put("Layers", layers);
            docker.add(legacy);
        }
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(sink)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            put(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            putDirectory(tar, "blobs/");
            putDirectory(tar, "blobs/sha256/");
            for (Map.Entry<String, Path> blob : blobs.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry("blobs/sha256/" + blob.getKey());
                entry.setSize(Files.size(blob.getValue()));
                entry.setMode(0644);
                tar.putArchiveEntry(entry);
                Files.copy(blob.getValue(), tar);
                tar.closeArchiveEntry();
            }
            put(tar, "index.json", Json.render(Map.of("schemaVersion", 2, "mediaType", Manifests.OCI_INDEX,
                    "manifests", index)).getBytes(StandardCharsets.UTF_8));
            put(tar, "manifest.json", Json.render(docker).getBytes(StandardCharsets.UTF_8));
        }
    }

    private Path blobPath(ImageRecord image, Digest digest) {
        return store.blobFile(digest).orElseThrow(() -> missing(image, digest));
    }

    private static BerthException missing(ImageRecord image, Digest digest) {
        return new BerthException("image " + image.displayName() + " lacks blob " + digest
                + " (pulled by an older berth? pull it again)");
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void putDirectory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    // ---- load ----------------------------------------------------------------------------------------

    /** Loads every image of the archive (plain or compressed tar); returns Docker's "Loaded image:" lines. */
    public List<String> load(InputStream archive, Path staging, Platform platform, PullProgress progress) throws IOException {
        Files.createDirectories(staging);
        try {
            unpackArchive(archive, staging);
            if (Files.isRegularFile(staging.resolve("index.json"))) {
                return loadLayout(staging, platform, progress);
            }
            if (Files.isRegularFile(staging.resolve("manifest.json"))) {
                return loadDockerArchive(staging, progress);
            }
            throw new BerthException("not an image archive: it has neither index.json (OCI) nor manifest.json (docker save)");
        } finally {
            Directories.deleteTree(staging);
        }
    }

    private List<String> loadLayout(Path dir, Platform platform, PullProgress progress) {
        Map<String, Object> index = Manifests.parse(read(dir, "index.json"));
        BlobSource blobs = digest -> Files.newInputStream(inside(dir, "blobs/sha256/" + digest.hex()));
        List<String> loaded = new ArrayList<>();
        if (!(index.get("manifests") instanceof List<?> manifests) || manifests.isEmpty()) {
            throw new BerthException("the archive's index.json lists no images");
        }
        for (Object m : manifests) {
            Map<String, Object> entry = Manifests.map(m);
            Manifests.Descriptor descriptor = Manifests.Descriptor.of(entry, "manifest");
            byte[] manifest = verified(dir, descriptor);
            if (Manifests.isIndex(descriptor.mediaType(), Manifests.parse(manifest))) {
                descriptor = Manifests.choose(manifest, platform, "the archive");
                manifest = verified(dir, descriptor);
            }
            Map<String, Object> annotations = Manifests.map(entry.get("annotations"));
            String name = annotations.get(CONTAINERD_NAME) instanceof String s ? s
                    : annotations.get(REF_NAME) instanceof String s && s.contains("/") ? s : null;
            List<String> names = name != null && ImageReference.isValid(name)
                    ? List.of(ImageReference.parse(name).toString()) : List.of();
            ImageRecord image = new ImageUnpacker(store, blobs, progress).unpack(manifest, "the archive's image",
                    names, List.of(), "archive");
            loaded.add(names.isEmpty() ? "Loaded image ID: " + image.id()
                    : "Loaded image: " + ImageReference.parse(names.getFirst()).familiar());
        }
        return loaded;
    }

    /** docker save's manifest.json: Config and Layers are paths in the archive; layers may be plain tars. */
    private List<String> loadDockerArchive(Path dir, PullProgress progress) throws IOException {
        Object parsed = Json.parseAny(new String(read(dir, "manifest.json"), StandardCharsets.UTF_8));
        if (!(parsed instanceof List<?> entries) || entries.isEmpty()) {
            throw new BerthException("the archive's manifest.json lists no images");
        }
        List<String> loaded = new ArrayList<>();
        for (Object e : entries) {
            Map<String, Object> entry = Manifests.map(e);
            Map<String, Path> files = new HashMap<>();
            Manifests.Descriptor config = describe(dir, String.valueOf(entry.get("Config")), Manifests.OCI_CONFIG, files);
            List<Map<String, Object>> layers = new ArrayList<>();
            if (entry.get("Layers") instanceof List<?> paths) {
                for (Object path : paths) {
                    Manifests.Descriptor layer = describe(dir, String.valueOf(path), null, files);
                    layers.add(Map.of("mediaType", layer.mediaType(), "digest", layer.digest().toString(), "size", layer.size()));
                }
            }
            byte[] manifest = Json.render(Map.of("schemaVersion", 2, "mediaType", Manifests.OCI_MANIFEST,
                    "config", Map.of("mediaType", config.mediaType(), "digest", config.digest().toString(), "size", config.size()),
                    "layers", layers)).getBytes(StandardCharsets.UTF_8);
            Set<String> names = new LinkedHashSet<>();
            if (entry.get("RepoTags") instanceof List<?> tags) {
                tags.forEach(t -> names.add(ImageReference.parse(String.valueOf(t)).toString()));
            }
            ImageRecord image = new ImageUnpacker(store, digest -> Files.newInputStream(files.get(digest.hex())), progress)
                    .unpack(manifest, "the archive's image", List.copyOf(names), List.of(), "archive");
            if (names.isEmpty()) {
                loaded.add("Loaded image ID: " + image.id());
            }
            names.forEach(n -> loaded.add("Loaded image: " + ImageReference.parse(n).familiar()));
        }
        return loaded;
    }

    /** A file of the archive as a descriptor (its digest, size and, for a layer, the compression it has). */
    private static Manifests.Descriptor describe(Path dir, String name, String mediaType, Map<String, Path> files)
            throws IOException {
        Path file = inside(dir, name);
        Compression compression;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            compression = Compression.sniff(in);
            VerifyingInputStream hashing = new VerifyingInputStream(in, name, Long.MAX_VALUE);
            hashing.drain();
            Digest digest = hashing.digest();
            files.put(digest.hex(), file);
            return new Manifests.Descriptor(mediaType != null ? mediaType : compression.layerMediaType(), digest,
                    hashing.count());
        }
    }

    private static byte[] verified(Path dir, Manifests.Descriptor descriptor) {
        byte[] bytes = read(dir, "blobs/sha256/" + descriptor.digest().hex());
        if (!Digest.of(bytes).equals(descriptor.digest())) {
            throw new BerthException("the archive's manifest " + descriptor.digest() + " does not match its digest");
        }
        return bytes;
    }

    private static byte[] read(Path dir, String name) {
        try {
            return Files.readAllBytes(inside(dir, name));
        } catch (IOException e) {
            throw new BerthException("the archive lacks " + name + ": " + e.getMessage(), e);
        }
    }

    /** A path named by the archive, which must stay inside it (after its symbolic links too). */
    private static Path inside(Path dir, String name) throws IOException {
        Path path = dir.resolve(name).normalize();
        if (!path.startsWith(dir) || !Files.exists(path)) {
            throw new BerthException("the archive names '" + name + "', which it does not have");
        }
        if (!path.toRealPath().startsWith(dir.toRealPath())) {
            throw new BerthException("the archive's '" + name + "' points outside it");
        }
        return path;
    }

    /** Unpacks the archive's regular files, directories and symbolic links (nothing else, nothing outside). */
    private static void unpackArchive(InputStream archive, Path dir) throws IOException {
        InputStream in = new BufferedInputStream(archive, 1 << 16);
        TarArchiveInputStream tar = new TarArchiveInputStream(Compression.sniff(in).decompress(in));
        TarArchiveEntry entry;
        int entries = 0;
        while ((entry = tar.getNextEntry()) != null) {
            entries++;
            Path target = dir.resolve(entry.getName()).normalize();
            if (!target.startsWith(dir) || entry.getName().startsWith("/")) {
                throw new BerthException("refusing archive entry '" + entry.getName() + "': path escapes the archive");
            }
            for (Path p = target.getParent(); p != null && !p.equals(dir); p = p.getParent()) {
                if (Files.isSymbolicLink(p)) {
                    throw new BerthException("refusing archive entry '" + entry.getName() + "': its parent is a symbolic link");
                }
            }
            if (entry.isDirectory()) {
                Files.createDirectories(target);
            } else if (entry.isSymbolicLink()) {
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            } else if (entry.isFile()) {
                Files.createDirectories(target.getParent());
                if (Files.isSymbolicLink(target) || Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BerthException("refusing archive entry '" + entry.getName() + "': it replaces a link or directory");
                }
                Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (entries == 0) {
            throw new BerthException("not an image archive: no tar entries");
        }
    }
}
