package dev.berth.image;

import java.util.List;

/**
 * A local image: its layers (keys into the layer store, bottom first) and the defaults a container of
 * it starts with.
 *
 * @param id          the image's id: the digest of its configuration (for built and imported images, of
 *                    the configuration berth wrote for them)
 * @param names       the normalised references it is known by ({@code docker.io/library/busybox:latest})
 * @param repoDigests name@digest of the manifests it was pulled by
 * @param source      where it came from ("busybox-static /bin/busybox", a tar file, a registry)
 * @param layers      the layers' keys, bottom first (a layer's key is the hex of its diff_id)
 * @param size        bytes of its layers, unpacked
 * @param platform    os/architecture[/variant]
 * @param manifest    the digest of its image manifest in the blob store (null for the built-in busybox,
 *                    whose layer exists only unpacked)
 */
public record ImageRecord(String id, List<String> names, List<String> repoDigests, String created, String source,
                          List<String> layers, ImageConfig config, long size, String platform, String manifest) {
    public ImageRecord {
        names = names == null ? List.of() : List.copyOf(names);
        repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
        layers = List.copyOf(layers);
        config = config == null ? ImageConfig.EMPTY : config;
    }

    public Digest digest() {
        return Digest.parse(id);
    }

    public String shortId() {
        return digest().shortHex();
    }

    /** The first name in Docker's short form, or the short id of an image without a name. */
    public String displayName() {
        return names.isEmpty() ? shortId() : ImageReference.parse(names.getFirst()).familiar();
    }

    public ImageRecord withNames(List<String> newNames, List<String> newRepoDigests) {
        return new ImageRecord(id, newNames, newRepoDigests, created, source, layers, config, size, platform, manifest);
    }
}
