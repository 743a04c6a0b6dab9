package dev.berth.spec;

import java.util.List;
import java.util.Map;

/**
 * What a container is, in the shape of the OCI runtime specification's {@code config.json}: the
 * process, its root, hostname, mounts and the Linux section. Everything that creates containers (the
 * CLI, images, later an OCI bundle) is converted into this one model, and the runtime reads only this.
 */
public record ContainerSpec(
        String ociVersion,
        ProcessSpec process,
        Root root,
        String hostname,
        List<MountSpec> mounts,
        LinuxSpec linux,
        Map<String, String> annotations) {

    public static final String OCI_VERSION = "1.2.0";

    public ContainerSpec {
        mounts = List.copyOf(mounts);
        annotations = Map.copyOf(annotations);
    }

    /**
     * The container's root filesystem; {@code path} is where it is assembled on the host.
     *
     * @param propagation OCI {@code linux.rootfsPropagation} ("shared", "rslave", "unbindable"…) given to
     *                    the root once it is the container's; null for berth's default (private, or a
     *                    slave of the host's when a mount asks for events)
     */
    public record Root(String path, boolean readonly, String propagation) {
        public Root(String path, boolean readonly) {
            this(path, readonly, null);
        }
    }

    /** True when the spec asks for a namespace of this type (with or without a path to join). */
    public boolean hasNamespace(NamespaceType type) {
        return linux.namespaces().stream().anyMatch(n -> n.kind() == type);
    }
}
