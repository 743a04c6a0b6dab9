package dev.berth.testing;

import dev.berth.image.Digest;
import dev.berth.json.Json;
import io.airlift.compress.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * An OCI image layout written by test code (blobs/sha256/…, index.json, oci-layout), for skopeo to push
 * into the test's registry: layers built entry by entry, image configurations, manifests and indexes.
 */
public final class OciLayout {
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";

    /** A content descriptor; diffId only for layers. */
    public record Blob(String mediaType, Digest digest, long size, Digest diffId) {
        Map<String, Object> json() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", mediaType);
            d.put("digest", digest.toString());
            d.put("size", size);
            return d;
        }
    }

    public enum Compression { GZIP, ZSTD, NONE }

    private final Path dir;
    private final List<Map<String, Object>> refs = new ArrayList<>();

    public OciLayout(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** A layer whose tar the builder writes. */
    public Blob layer(Compression compression, Consumer<Tar> contents) {
        ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
        try (Tar tar = new Tar(tarBytes)) {
            contents.accept(tar);
        }
        byte[] uncompressed = tarBytes.toByteArray();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (OutputStream out = switch (compression) {
            case GZIP -> new GZIPOutputStream(packed);
            case ZSTD -> new ZstdOutputStream(packed);
            case NONE -> packed;
        }) {
            out.write(uncompressed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String type = switch (compression) {
            case GZIP -> "application/vnd.oci.image.layer.v1.tar+gzip";
            case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
            case NONE -> "application/vnd.oci.image.layer.v1.tar";
        };
        Blob blob = write(type, packed.toByteArray());
        return new Blob(type, blob.digest(), blob.size(), Digest.of(uncompressed));
    }

    /** An image manifest over layers, with a configuration of config plus the layers' diff_ids (or those given). */
    public Blob image(String architecture, Map<String, Object> config, List<Blob> layers, List<Digest> diffIds) {
        Map<String, Object> configBlob = new LinkedHashMap<>();
        configBlob.put("created", "2026-01-01T00:00:00Z");
        configBlob.put("architecture", architecture);
        configBlob.put("os", "linux");
        configBlob.put("config", config);
        configBlob.put("rootfs", Map.of("type", "layers", "diff_ids",
                (diffIds != null ? diffIds : layers.stream().map(Blob::diffId).toList()).stream().map(Digest::toString).toList()));
        Blob configDescriptor = write("application/vnd.oci.image.config.v1+json", Json.render(configBlob).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.put("config", configDescriptor.json());
        manifest.put("layers", layers.stream().map(Blob::json).toList());
        return write(MANIFEST, Json.render(manifest).getBytes(StandardCharsets.UTF_8));
    }

    /** An image index over manifests, with a platform each ("linux/amd64"). */
    public Blob index(Map<Blob, String> manifests) {
        List<Map<String, Object>> entries = new ArrayList<>();
        manifests.forEach((manifest, platform) -> {
            Map<String, Object> entry = manifest.json();
            String[] p = platform.split("/");
            entry.put("platform", Map.of("os", p[0], "architecture", p[1]));
            entries.add(entry);
        });
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        index.put("manifests", entries);
        return write(INDEX, Json.render(index).getBytes(StandardCharsets.UTF_8));
    }

    /** Names a manifest or index in index.json, for {@code oci:DIR:NAME}. */
    public OciLayout tag(String name, Blob target) {
        Map<String, Object> entry = target.json();
        entry.put("annotations", Map.of("org.opencontainers.image.ref.name", name));
        refs.add(entry);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("manifests", refs);
        try {
            Files.writeString(dir.resolve("index.json"), Json.render(index));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private Blob write(String mediaType, byte[] content) {
        Digest digest = Digest.of(content);
        try {
            Files.write(dir.resolve("blobs/sha256").resolve(digest.hex()), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Blob(mediaType, digest, content.length, null);
    }

    /** A layer's tar, entry by entry, owned by root. */
    public static final class Tar implements AutoCloseable {
        private final TarArchiveOutputStream out;

        Tar(OutputStream sink) {
            out = new TarArchiveOutputStream(sink);
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        public Tar dir(String name) {
            return put(entry(name.endsWith("/") ? name : name + "/", TarArchiveEntry.LF_DIR, 0755), new byte[0]);
        }

        public Tar file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
        }

        public Tar file(String name, byte[] content, int mode) {
            return put(entry(name, TarArchiveEntry.LF_NORMAL, mode), content);
        }

        public Tar symlink(String name, String target) {
            TarArchiveEntry e = entry(name, TarArchiveEntry.LF_SYMLINK, 0777);
            e.setLinkName(target);
            return put(e, new byte[0]);
        }

        /** A file of size bytes that do not compress (for the pull benchmark's large layer). */
        public Tar randomFile(String name, long size, long seed) {
            TarArchiveEntry e = entry(name, TarArchiveEntry.LF_NORMAL, 0644);
            e.setSize(size);
            try {
                out.putArchiveEntry(e);
                java.util.Random random = new java.util.Random(seed);
                byte[] chunk = new byte[1 << 16];
                for (long left = size; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
                out.closeArchiveEntry();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return this;
        }

        private static TarArchiveEntry entry(String name, byte type, int mode) {
            TarArchiveEntry e = new TarArchiveEntry(name, type);
            e.setMode(mode);
            e.setUserId(0);
            e.setGroupId(0);
            e.setModTime(java.util.Date.from(java.time.Instant.parse("2026-01-01T00:00:00Z")));
            return e;
        }

        private Tar put(TarArchiveEntry e, byte[] content) {
            try {
                e.setSize(content.length);
                out.putArchiveEntry(e);
                out.write(content);
                out.closeArchiveEntry();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return this;
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
