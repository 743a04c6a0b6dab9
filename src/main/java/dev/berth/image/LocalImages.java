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
        String key = store.addLayerByContent(dir -> {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(tar), 65536)) {
                VerifyingInputStream uncompressed = new VerifyingInputStream(Compression.sniff(raw).decompress(raw),
                        tar.toString(), Long.MAX_VALUE);
                LayerUnpacker.Result result = LayerUnpacker.unpackRootfs(uncompressed, dir);
                uncompressed.drain();
                if (result.entries() == 0) {
                    throw new BerthException(tar + " is not a tar archive, or is empty");
                }
                return uncompressed.digest().hex();
            } catch (IOException e) {
                throw new BerthException("cannot import " + tar + ": " + e.getMessage(), e);
            }
        });
        return record(store, ref, tar.toAbsolutePath().toString(), key, ImageConfig.EMPTY);
    }

    /**
     * Records a one-layer image whose configuration berth writes itself: the same shape as a pulled
     * image's, so that its id is the digest of a real configuration blob.
     */
    static ImageRecord record(ImageStore store, ImageReference ref, String source, String key, ImageConfig config) {
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
        long size = Directories.sizeOf(store.layerDir(key));
        return store.commit(new ImageRecord(id.toString(), List.of(ref.toString()), List.of(), created, source,
                List.of(key), config, size, Platform.HOST.toString()));
    }
}
