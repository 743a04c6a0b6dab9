package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.json.Json;
import dev.berth.state.Directories;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Images made on this machine, not pulled: the built-in busybox and imported root filesystem tarballs. */
public final class LocalImages {
    private LocalImages() {}

    /** Imports a root filesystem tarball (plain, gzip or zstd) as a one-layer image named name. */
    public static ImageRecord importTar(ImageStore store, Path tar, String name) {
        ImageReference ref = ImageReference.parse(name);
        if (!Files.isRegularFile(tar)) {
            throw new BerthException("no such file: " + tar);
        }
        Manifests.Descriptor[] blob = new Manifests.Descriptor[1];
        String key = store.addLayerByContent(dir -> {
            try (InputStream file = new BufferedInputStream(Files.newInputStream(tar), 65536)) {
                Compression compression = Compression.sniff(file);
                VerifyingInputStream raw = new VerifyingInputStream(file, tar.toString(), Long.MAX_VALUE);
                VerifyingInputStream uncompressed = VerifyingInputStream.capped(compression.decompress(raw),
                        tar.toString(), store.maxUnpackedLayer());
                LayerUnpacker.Result result = LayerUnpacker.unpackRootfs(uncompressed, dir);
                uncompressed.drain();
                raw.drain();
                if (result.entries() == 0) {
                    throw new BerthException(tar + " is not a tar archive, or is empty");
                }
                blob[0] = new Manifests.Descriptor(compression.layerMediaType(), raw.digest(), raw.count());
                return uncompressed.digest().hex();
            } catch (IOException e) {
                throw new BerthException("cannot import " + tar + ": " + e.getMessage(), e);
            }
        });
        try {
            Path copy = store.newBlobFile();
            Files.copy(tar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            store.publishBlob(copy, blob[0].digest()); // the tarball itself is the layer's blob, for save
        } catch (IOException e) {
            throw new BerthException("cannot keep " + tar + " in the blob store: " + e.getMessage(), e);
        }
        return record(store, ref, tar.toAbsolutePath().toString(), key, blob[0], ImageConfig.EMPTY);
    }

    /**
     * Records a one-layer image whose configuration berth writes itself: the same shape as a pulled
     * image's, so that its id is the digest of a real configuration blob.
     */
    static ImageRecord record(ImageStore store, ImageReference ref, String source, String key,
                              Manifests.Descriptor layerBlob, ImageConfig config) {
        Map<String, Object> blob = new LinkedHashMap<>();
        String created = Instant.now().toString();
        blob.put("architecture", Platform.HOST.architecture());
        blob.put("os", "linux");
        blob.put("created", created);
        blob.put("config", config.toJson());
        blob.put("rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + key)));
        byte[] bytes = Json.render(blob).getBytes(StandardCharsets.UTF_8);
        Digest id = Digest.of(bytes);
        store.putBlob(id, bytes);
        String manifest = null;
        if (layerBlob != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schemaVersion", 2);
            m.put("mediaType", Manifests.OCI_MANIFEST);
            m.put("config", Map.of("mediaType", Manifests.OCI_CONFIG, "digest", id.toString(), "size", bytes.length));
            m.put("layers", List.of(Map.of("mediaType", layerBlob.mediaType(), "digest", layerBlob.digest().toString(),
                    "size", layerBlob.size())));
            byte[] manifestBytes = Json.render(m).getBytes(StandardCharsets.UTF_8);
            store.putBlob(Digest.of(manifestBytes), manifestBytes);
            manifest = Digest.of(manifestBytes).toString();
        }
        long size = Directories.sizeOf(store.layerDir(key));
        return store.commit(new ImageRecord(id.toString(), List.of(ref.toString()), List.of(), created, source,
                List.of(key), config, size, Platform.HOST.toString(), manifest));
    }
}
