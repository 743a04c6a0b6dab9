package dev.berth.registry;

import dev.berth.BerthException;
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
        return new ImageUnpacker(store, digest -> client.blob(repository, digest), progress)
                .unpack(manifest.body(), ref.familiar(), names, List.of(ref.name() + "@" + repoDigest), ref.toString());
    }

    private static void checkDigest(Digest expected, RegistryClient.Manifest manifest, ImageReference ref) {
        if (expected != null && !expected.equals(manifest.digest())) {
            throw new BerthException("the manifest of " + ref.familiar() + " does not match its digest: expected "
                    + expected + ", got " + manifest.digest());
        }
    }
}
