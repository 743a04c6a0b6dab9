package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.state.Directories;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Brings one image manifest's content into the store from a blob source (a registry, an archive): the
 * configuration, then the layers the store lacks, a few at a time. Every byte is checked while it
 * streams: blobs against their digests and sizes, unpacked layers against the configuration's
 * {@code diff_ids}. A layer is unpacked straight from the stream into its staging directory while its
 * compressed bytes go to the blob store (for {@code save}); nothing is held whole in memory. A failure
 * leaves no image, no layer and no blob that this call added.
 */
public final class ImageUnpacker {
    private static final long MAX_CONFIG = 16 << 20;
    private static final int PARALLEL_LAYERS = 3;

    private final ImageStore store;
    private final BlobSource blobs;
    private final PullProgress progress;

    public ImageUnpacker(ImageStore store, BlobSource blobs, PullProgress progress) {
        this.store = store;
        this.blobs = blobs;
        this.progress = progress;
    }

    /**
     * @param manifest    the image manifest's bytes (already checked against the digest it is known by)
     * @param what        how errors name the image
     * @param names       the normalised names it gets
     * @param repoDigests name@digest it is known by
     */
    public ImageRecord unpack(byte[] manifest, String what, List<String> names, List<String> repoDigests, String source) {
        Manifests.Image image = Manifests.image(manifest, what);
        Manifests.Descriptor config = image.config();
        byte[] configBytes = readSmall(config, "the configuration of " + what);
        Map<String, Object> configJson = Manifests.parse(configBytes);
        List<Digest> diffIds = diffIds(configJson, image.layers().size(), what);
        dev.berth.Trace.mark("configuration read");
        List<String> added = unpackLayers(image.layers(), diffIds);
        dev.berth.Trace.mark("layers unpacked");
        try {
            store.putBlob(Digest.of(manifest), manifest);
            store.putBlob(config.digest(), configBytes);
            long size = diffIds.stream().mapToLong(d -> Directories.sizeOf(store.layerDir(d.hex()))).sum();
            String platform = configJson.get("os") + "/" + configJson.get("architecture")
                    + (configJson.get("variant") instanceof String v && !v.isEmpty() ? "/" + v : "");
            dev.berth.Trace.mark("blobs stored");
            return store.commit(new ImageRecord(config.digest().toString(), names, repoDigests,
                    String.valueOf(configJson.getOrDefault("created", "")), source,
                    diffIds.stream().map(Digest::hex).toList(), ImageConfig.fromConfigBlob(configJson), size, platform,
                    Digest.of(manifest).toString()));
        } catch (RuntimeException e) {
            store.dropLayers(added);
            throw e;
        }
    }

    /** Unpacks the layers the store lacks; returns the keys of those it added. A failure leaves none of them. */
    private List<String> unpackLayers(List<Manifests.Descriptor> layers, List<Digest> diffIds) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            int index = i;
            if (store.hasLayer(diffIds.get(i).hex())) {
                progress.layerExists(layers.get(i).digest());
            } else if (missing.stream().noneMatch(m -> diffIds.get(m).equals(diffIds.get(index)))) {
                missing.add(i);
            }
        }
        List<String> added = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_LAYERS, missing.size())))) {
            List<Future<Boolean>> running = new ArrayList<>();
            for (int i : missing) {
                running.add(pool.submit(() -> unpackLayer(layers.get(i), diffIds.get(i))));
            }
            BerthException failure = null;
            for (int n = 0; n < running.size(); n++) {
                try {
                    if (running.get(n).get()) {
                        added.add(diffIds.get(missing.get(n)).hex());
                    }
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof BerthException b ? b
                                : new BerthException(String.valueOf(e.getCause().getMessage()), e.getCause());
                        running.forEach(other -> other.cancel(true));
                    }
                } catch (CancellationException ignored) {
                    // cancelled after another layer failed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BerthException("interrupted while unpacking layers", e);
                }
            }
            if (failure != null) {
                store.dropLayers(added);
                throw failure;
            }
        }
        return added;
    }

    private boolean unpackLayer(Manifests.Descriptor layer, Digest diffId) {
        Compression compression = Compression.ofMediaType(layer.mediaType());
        if (compression == null) {
            throw new BerthException("layer " + layer.digest() + " has a media type berth cannot unpack: " + layer.mediaType());
        }
        progress.layerStarted(layer.digest(), layer.size());
        long maxUnpacked = store.maxUnpackedLayer();
        boolean added = store.addLayer(diffId.hex(), dir -> {
            String what = "layer " + layer.digest().shortHex();
            Path blob = store.newBlobFile();
            try {
                download(layer, blob);
                try (InputStream file = new BufferedInputStream(Files.newInputStream(blob), 1 << 16)) {
                    VerifyingInputStream compressed = new VerifyingInputStream(file, what, layer.size());
                    VerifyingInputStream tar = VerifyingInputStream.capped(compression.decompress(compressed),
                            what, maxUnpacked);
                    try {
                        LayerUnpacker.unpackLayer(tar, dir);
                        tar.drain();
                    } catch (IOException | RuntimeException e) {
                        compressed.verify(layer.digest(), layer.size()); // bytes that are not what was sent say so first
                        throw e;
                    }
                    compressed.verify(layer.digest(), layer.size());
                    Digest unpacked = tar.digest();
                    if (!unpacked.equals(diffId)) {
                        throw new BerthException(what + " unpacks to " + unpacked + ", not to the diff_id " + diffId
                                + " its image configuration gives");
                    }
                } catch (java.util.zip.ZipException | java.io.EOFException e) {
                    throw new BerthException(what + " is not valid " + compression.name().toLowerCase(java.util.Locale.ROOT)
                            + " data: " + e.getMessage(), e);
                }
                store.publishBlob(blob, layer.digest());
            } finally {
                Files.deleteIfExists(blob); // gone already when published
            }
        });
        progress.layerDone(layer.digest());
        return added;
    }

    /** Streams a small blob (a configuration) into memory, verified. */
    private byte[] readSmall(Manifests.Descriptor blob, String what) {
        if (blob.size() > MAX_CONFIG) {
            throw new BerthException(what + " is larger than " + (MAX_CONFIG >> 20) + " MiB");
        }
        try (InputStream raw = blobs.open(blob.digest())) {
            VerifyingInputStream in = new VerifyingInputStream(raw, what, blob.size());
            byte[] bytes = in.readAllBytes();
            in.verify(blob.digest(), blob.size());
            return bytes;
        } catch (IOException e) {
            throw new BerthException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    private static List<Digest> diffIds(Map<String, Object> config, int layers, String what) {
        Object ids = Manifests.map(config.get("rootfs")).get("diff_ids");
        if (!(ids instanceof List<?> list) || list.size() != layers) {
            throw new BerthException("the configuration of " + what + " lists "
                    + (ids instanceof List<?> l ? l.size() : 0) + " diff_ids for " + layers + " layers");
        }
        return list.stream().map(o -> Digest.parse(String.valueOf(o))).toList();
    }

    /**
     * The layer's compressed bytes into the blob file (bounded by its size), the file's growth reported
     * as progress meanwhile; unpacking then streams from the file, so memory stays small.
     */
    private void download(Manifests.Descriptor layer, Path blob) throws IOException {
        Thread reporter = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(200);
                    progress.layerBytes(layer.digest(), Files.size(blob));
                }
            } catch (InterruptedException | IOException e) {
                // the download ended
            }
        });
        try {
            blobs.copyTo(layer.digest(), blob, layer.size());
        } finally {
            reporter.interrupt();
        }
        progress.layerBytes(layer.digest(), Files.size(blob));
    }
}
