package dev.berth.registry;

import dev.berth.BerthException;
import dev.berth.image.Compression;
import dev.berth.image.Digest;
import dev.berth.image.ImageConfig;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageReference;
import dev.berth.image.ImageStore;
import dev.berth.image.LayerUnpacker;
import dev.berth.image.Platform;
import dev.berth.image.VerifyingInputStream;
import dev.berth.json.Json;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pulls an image into the store: the manifest (through an index, for the platform asked), the
 * configuration, then the layers, a few at a time. Every byte is checked while it streams: manifests and
 * blobs against their digests and sizes, unpacked layers against the configuration's {@code diff_ids}.
 * A layer is unpacked straight from the network into its staging directory; nothing is buffered whole.
 */
public final class ImagePuller {
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final long MAX_CONFIG = 16 << 20;
    /** The most a single layer may unpack to: a decompression bomb stops here. */
    private static final long MAX_UNPACKED = 64L << 30;
    private static final int PARALLEL_LAYERS = 3;

    private final ImageStore store;
    private final RegistryClient client;
    private final PullProgress progress;

    public ImagePuller(ImageStore store, RegistryClient client, PullProgress progress) {
        this.store = store;
        this.client = client;
        this.progress = progress;
    }

    public ImageRecord pull(ImageReference ref, Platform platform) {
        String repository = ref.repository();
        RegistryClient.Manifest manifest = client.manifest(repository, ref.manifestReference());
        checkDigest(ref.digest(), manifest, ref);
        Digest repoDigest = manifest.digest(); // what the reference names: an index, or the manifest itself
        if (manifest.mediaType().equals(OCI_INDEX) || manifest.mediaType().equals(DOCKER_LIST)) {
            Digest chosen = choose(Json.parseObject(text(manifest.body())), platform, ref);
            manifest = client.manifest(repository, chosen.toString());
            checkDigest(chosen, manifest, ref);
        }
        progress.resolved(ref.familiar(), repoDigest);
        Map<String, Object> body = Json.parseObject(text(manifest.body()));
        if (!(body.get("config") instanceof Map<?, ?>) || !(body.get("layers") instanceof List<?>)) {
            throw new BerthException("the manifest of " + ref.familiar() + " is not an image manifest (" + manifest.mediaType() + ")");
        }
        Descriptor config = Descriptor.of(map(body.get("config")), "config");
        List<Descriptor> layers = new ArrayList<>();
        for (Object layer : (List<?>) body.get("layers")) {
            layers.add(Descriptor.of(map(layer), "layer"));
        }

        byte[] configBytes = readBlob(repository, config, MAX_CONFIG, "the configuration of " + ref.familiar());
        Map<String, Object> configJson = Json.parseObject(text(configBytes));
        List<Digest> diffIds = diffIds(configJson, layers.size(), ref);

        List<String> added = pullLayers(repository, layers, diffIds);
        try {
            return record(ref, manifest, repoDigest, config, configBytes, configJson, diffIds);
        } catch (RuntimeException e) {
            store.dropLayers(added);
            throw e;
        }
    }

    private ImageRecord record(ImageReference ref, RegistryClient.Manifest manifest, Digest repoDigest, Descriptor config,
                               byte[] configBytes, Map<String, Object> configJson, List<Digest> diffIds) {
        String imagePlatform = configJson.get("os") + "/" + configJson.get("architecture")
                + (configJson.get("variant") instanceof String v && !v.isEmpty() ? "/" + v : "");

        store.putBlob(manifest.digest(), manifest.body());
        store.putBlob(config.digest(), configBytes);
        long size = diffIds.stream().mapToLong(d -> dev.berth.state.Directories.sizeOf(store.layerDir(d.hex()))).sum();
        List<String> names = ref.tag() != null ? List.of(ref.toString()) : List.of();
        return store.commit(new ImageRecord(config.digest().toString(), names,
                List.of(ref.name() + "@" + repoDigest), String.valueOf(configJson.getOrDefault("created", "")),
                ref.toString(), diffIds.stream().map(Digest::hex).toList(), ImageConfig.fromConfigBlob(configJson), size,
                imagePlatform));
    }

    /** Pulls the layers the store lacks; returns the keys of those it added. A failure leaves none of them. */
    private List<String> pullLayers(String repository, List<Descriptor> layers, List<Digest> diffIds) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (store.hasLayer(diffIds.get(i).hex())) {
                progress.layerExists(layers.get(i).digest());
            } else if (!missing.stream().map(diffIds::get).toList().contains(diffIds.get(i))) {
                missing.add(i);
            }
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_LAYERS, missing.size())))) {
            List<Future<Boolean>> running = new ArrayList<>();
            for (int i : missing) {
                running.add(pool.submit(() -> pullLayer(repository, layers.get(i), diffIds.get(i))));
            }
            List<String> added = new ArrayList<>();
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
                } catch (java.util.concurrent.CancellationException ignored) {
                    // cancelled after another layer failed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BerthException("interrupted while pulling", e);
                }
            }
            if (failure != null) {
                store.dropLayers(added);
                throw failure;
            }
            return added;
        }
    }

    private boolean pullLayer(String repository, Descriptor layer, Digest diffId) {
        Compression compression = Compression.ofMediaType(layer.mediaType());
        if (compression == null) {
            throw new BerthException("layer " + layer.digest() + " has a media type berth cannot unpack: " + layer.mediaType());
        }
        progress.layerStarted(layer.digest(), layer.size());
        boolean added = store.addLayer(diffId.hex(), dir -> {
            String what = "layer " + layer.digest().shortHex();
            try (InputStream raw = client.blob(repository, layer.digest())) {
                VerifyingInputStream compressed = new VerifyingInputStream(
                        new Counting(new BufferedInputStream(raw, 1 << 16), layer), what, layer.size());
                VerifyingInputStream tar = new VerifyingInputStream(compression.decompress(compressed),
                        what + " (unpacked)", MAX_UNPACKED);
                try {
                    LayerUnpacker.unpackLayer(tar, dir);
                    tar.drain();
                } catch (IOException | RuntimeException e) {
                    compressed.verify(layer.digest(), layer.size()); // bytes that are not what was sent say so first
                    throw e;
                }
                Digest unpacked = tar.digest();
                compressed.verify(layer.digest(), layer.size());
                if (!unpacked.equals(diffId)) {
                    throw new BerthException(what + " unpacks to " + unpacked + ", not to the diff_id " + diffId
                            + " its image configuration gives");
                }
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new BerthException(what + " is not valid " + compression.name().toLowerCase() + " data: " + e.getMessage(), e);
            }
        });
        progress.layerDone(layer.digest());
        return added;
    }

    /** Streams a small blob (a configuration) into memory, verified. */
    private byte[] readBlob(String repository, Descriptor blob, long limit, String what) {
        if (blob.size() > limit) {
            throw new BerthException(what + " is larger than " + (limit >> 20) + " MiB");
        }
        try (InputStream raw = client.blob(repository, blob.digest())) {
            VerifyingInputStream in = new VerifyingInputStream(raw, what, blob.size());
            byte[] bytes = in.readAllBytes();
            in.verify(blob.digest(), blob.size());
            return bytes;
        } catch (IOException e) {
            throw new BerthException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    private Digest choose(Map<String, Object> index, Platform platform, ImageReference ref) {
        List<String> offered = new ArrayList<>();
        if (index.get("manifests") instanceof List<?> manifests) {
            for (Object m : manifests) {
                Map<String, Object> entry = map(m);
                Map<String, Object> p = map(entry.get("platform"));
                offered.add(p.get("os") + "/" + p.get("architecture") + (p.get("variant") != null ? "/" + p.get("variant") : ""));
                if (platform.matches(p)) {
                    return Descriptor.of(entry, "manifest").digest();
                }
            }
        }
        throw new BerthException("no image for " + platform + " in " + ref.familiar() + " (it has: "
                + (offered.isEmpty() ? "none" : String.join(", ", offered)) + "); choose one with --platform");
    }

    private static void checkDigest(Digest expected, RegistryClient.Manifest manifest, ImageReference ref) {
        if (expected != null && !expected.equals(manifest.digest())) {
            throw new BerthException("the manifest of " + ref.familiar() + " does not match its digest: expected "
                    + expected + ", got " + manifest.digest());
        }
    }

    private static List<Digest> diffIds(Map<String, Object> config, int layers, ImageReference ref) {
        Object ids = map(config.get("rootfs")).get("diff_ids");
        if (!(ids instanceof List<?> list) || list.size() != layers) {
            throw new BerthException("the configuration of " + ref.familiar() + " lists "
                    + (ids instanceof List<?> l ? l.size() : 0) + " diff_ids for " + layers + " layers");
        }
        return list.stream().map(o -> Digest.parse(String.valueOf(o))).toList();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** A content descriptor: media type, digest, size. */
    record Descriptor(String mediaType, Digest digest, long size) {
        static Descriptor of(Map<String, Object> json, String what) {
            if (!(json.get("digest") instanceof String d) || !(json.get("size") instanceof Number size)) {
                throw new BerthException("a " + what + " descriptor lacks its digest or size");
            }
            if (size.longValue() < 0) {
                throw new BerthException("a " + what + " descriptor has a negative size");
            }
            return new Descriptor(String.valueOf(json.getOrDefault("mediaType", "")), Digest.parse(d), size.longValue());
        }
    }

    /** Reports received bytes to the progress display, at most every 256 KiB. */
    private final class Counting extends FilterInputStream {
        private final Descriptor layer;
        private long received;
        private long reported;

        Counting(InputStream in, Descriptor layer) {
            super(in);
            this.layer = layer;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                received += n;
                if (received - reported >= 1 << 18 || received == layer.size()) {
                    reported = received;
                    progress.layerBytes(layer.digest(), received);
                }
            }
            return n;
        }
    }
}
