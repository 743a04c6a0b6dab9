package dev.berth.spec;

import java.util.List;

/** One OCI mount: where in the container, which filesystem type, from what source, with which options. */
public record MountSpec(String destination, String type, String source, List<String> options) {
    public MountSpec {
        options = List.copyOf(options);
    }
}
