package dev.berth.spec;

import java.util.List;

/** OCI {@code linux}: namespaces, and the /proc and /sys paths hidden or made read-only. */
public record LinuxSpec(
        List<Namespace> namespaces,
        List<String> maskedPaths,
        List<String> readonlyPaths) {

    public LinuxSpec {
        namespaces = List.copyOf(namespaces);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
    }

    /** A namespace to create ({@code path} null) or to join (the path of an existing one). */
    public record Namespace(NamespaceType type, String path) {}
}
