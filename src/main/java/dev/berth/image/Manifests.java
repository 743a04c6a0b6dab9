package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reading OCI and Docker v2 manifests and indexes. */
public final class Manifests {
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

    private Manifests() {}

    /** A content descriptor: media type, digest, size. */
    public record Descriptor(String mediaType, Digest digest, long size) {
        public static Descriptor of(Map<String, Object> json, String what) {
            if (!(json.get("digest") instanceof String d) || !(json.get("size") instanceof Number size)) {
                throw new BerthException("a " + what + " descriptor lacks its digest or size");
            }
            if (size.longValue() < 0) {
                throw new BerthException("a " + what + " descriptor has a negative size");
            }
            return new Descriptor(String.valueOf(json.getOrDefault("mediaType", "")), Digest.parse(d), size.longValue());
        }
    }

    /** An image manifest: its configuration and layers, bottom first. */
    public record Image(Descriptor config, List<Descriptor> layers) {}

    public static boolean isIndex(String mediaType, Map<String, Object> json) {
        return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST)
                || mediaType.isEmpty() && json.get("manifests") instanceof List<?> && !(json.get("layers") instanceof List<?>);
    }

    public static Image image(byte[] manifest, String what) {
        Map<String, Object> body = parse(manifest);
        if (!(body.get("config") instanceof Map<?, ?>) || !(body.get("layers") instanceof List<?> layers)) {
            throw new BerthException("the manifest of " + what + " is not an image manifest");
        }
        List<Descriptor> descriptors = new ArrayList<>();
        for (Object layer : layers) {
            descriptors.add(Descriptor.of(map(layer), "layer"));
        }
        return new Image(Descriptor.of(map(body.get("config")), "config"), descriptors);
    }

    /** The index entry for platform; a clear error naming those it has when none matches. */
    public static Descriptor choose(byte[] index, Platform platform, String what) {
        List<String> offered = new ArrayList<>();
        if (parse(index).get("manifests") instanceof List<?> manifests) {
            for (Object m : manifests) {
                Map<String, Object> entry = map(m);
                Map<String, Object> p = map(entry.get("platform"));
                offered.add(p.get("os") + "/" + p.get("architecture") + (p.get("variant") != null ? "/" + p.get("variant") : ""));
                if (platform.matches(p)) {
                    return Descriptor.of(entry, "manifest");
                }
            }
        }
        throw new BerthException("no image for " + platform + " in " + what + " (it has: "
                + (offered.isEmpty() ? "none" : String.join(", ", offered)) + "); choose one with --platform");
    }

    public static Map<String, Object> parse(byte[] json) {
        try {
            return Json.parseObject(new String(json, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new BerthException("not valid JSON: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
