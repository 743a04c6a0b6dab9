package dev.berth.runtime;

import dev.berth.linux.Syscalls;
import dev.berth.spec.MountSpec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sources of a container's bind mounts, opened by host root before a process of a new user
 * namespace takes over the start: that process is the namespace's root, a host user that may not reach
 * them (podman keeps them under 0700 directories). Each is a detached clone of its tree
 * ({@code open_tree}), which the process attaches in the container ({@code move_mount}), as runc passes
 * mount sources by descriptor into its user namespace.
 */
final class BindSources {
    /** A source's detached tree and whether it is a directory (a file's target is a file). */
    record Source(int tree, boolean directory) {}

    private final Syscalls sys;
    private final Map<String, Source> bySource = new HashMap<>();

    private BindSources(Syscalls sys) {
        this.sys = sys;
    }

    static BindSources open(Syscalls sys, List<MountSpec> mounts) {
        BindSources sources = new BindSources(sys);
        try {
            for (MountSpec mount : mounts) {
                MountOptions options = MountOptions.parse(mount.options());
                String key = key(mount, options);
                if (options.isBind() && !sources.bySource.containsKey(key)) {
                    boolean directory = sys.isDirectory(mount.source());
                    sources.bySource.put(key, new Source(sys.openTree(mount.source(), options.isRecursive()), directory));
                }
            }
        } catch (RuntimeException e) {
            sources.close();
            throw e;
        }
        return sources;
    }

    /** The opened source of this bind mount; null when it was not opened here. */
    Source of(MountSpec mount, MountOptions options) {
        return bySource.remove(key(mount, options)); // a tree attaches once: a second such mount clones anew
    }

    void close() {
        bySource.values().forEach(s -> sys.closeQuietly(s.tree()));
        bySource.clear();
    }

    private static String key(MountSpec mount, MountOptions options) {
        return (options.isRecursive() ? "r " : "  ") + mount.source();
    }
}
