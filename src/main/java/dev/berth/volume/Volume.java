package dev.berth.volume;

import java.util.Map;

/**
 * A volume as stored in its {@code volume.json}: a directory under the state root that outlives the
 * containers using it.
 *
 * @param anonymous made for one container (an image's VOLUME, {@code -v /path}); {@code rm -v} and
 *                  {@code run --rm} remove it with the container, {@code volume prune} when unused
 */
public record Volume(String name, String createdAt, Map<String, String> labels, boolean anonymous) {
    public Volume {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
