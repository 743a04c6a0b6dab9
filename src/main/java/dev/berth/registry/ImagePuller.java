package dev.berth.registry;

import dev.berth.BerthException;
import dev.berth.image.BlobSource;
import dev.berth.image.Digest;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageReference;
import dev.berth.image.ImageStore;
import dev.berth.image.ImageUnpacker;
import dev.berth.image.Manifests;
import dev.berth.image.Platform;
import dev.berth.image.PullProgress;

import java.util.List;

/**
 * Pulls an image into the store: the manifest the reference names (through an index, for the platform
 * asked), then its content through {@link ImageUnpacker}, with the registry as the blob source.
 */
public final class ImagePuller {
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
        if (Manifests.isIndex(manifest.mediaType(), Manifests.parse(manifest.body()))) {
            Digest chosen = Manifests.choose(manifest.body(), platform, ref.familiar()).digest();
            manifest = client.manifest(repository, chosen.toString());
            checkDigest(chosen, manifest, ref);
        }
        progress.resolved(ref.familiar(), repoDigest);
        List<String> names = ref.tag() != null ? List.of(ref.toString()) : List.of();
        BlobSource blobs = new BlobSource() {
            @Override
            public java.io.InputStream open(Digest digest) {
                return client.blob(repository, digest);
            }

            @Override
            public void copyTo(Digest digest, java.nio.file.Path file, long limit) {
                client.download(repository, digest, file, limit);
            }
        };
        return new ImageUnpacker(store, blobs, progress)
                .unpack(manifest.body(), ref.familiar(), names, List.of(ref.name() + "@" + repoDigest), ref.toString());
    }

    private static void checkDigest(Digest expected, RegistryClient.Manifest manifest, ImageReference ref) {
        if (expected != null && !expected.equals(manifest.digest())) {
            throw new BerthException("the manifest of " + ref.familiar() + " does not match its digest: expected "
                    + expected + ", got " + manifest.digest());
        }
    }
}
