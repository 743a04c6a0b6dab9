package dev.berth.spec;

import java.util.List;

/** OCI {@code linux}: namespaces, and the /proc and /sys paths hidden or made read-only. */
public record LinuxSpec(
        List<Namespace> namespaces,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        ResourcesSpec resources,
        String cgroupsPath) {

    public LinuxSpec {
        namespaces = List.copyOf(namespaces);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
    }

    /**
     * A namespace to create ({@code path} null) or to join (the path of an existing one); {@code type}
     * is the OCI name ("pid", "network"…).
     */
    public record Namespace(String type, String path) {
        public Namespace(NamespaceType type, String path) {
            this(type.ociName(), path);
        }

        public NamespaceType kind() {
            return NamespaceType.fromOciName(type);
        }
    }
}
