package dev.berth.runtime;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.linux.Syscalls;
import dev.berth.spec.MountSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

import static dev.berth.runtime.MountOptions.MS_PRIVATE;

/**
 * The user's mounts (binds, volumes, tmpfs) placed inside a container's root by descriptor, never by
 * path: the target is opened with {@code openat2(RESOLVE_IN_ROOT)}, so a symbolic link on the way (even
 * one another container swaps in through a shared volume while this one starts, runc's CVE-2021-30465)
 * resolves inside the root; the mount then goes onto that descriptor ({@code move_mount} of an
 * {@code open_tree} clone for binds, {@code /proc/thread-self/fd/N} for other filesystems). Read-only
 * and the other attributes are set on the clone before it is attached, recursively; propagation after.
 */
final class MountsInRoot {
    private static final int O_PATH_DIR = Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC;

    private final Syscalls sys;
    private final Path root;
    private final BindSources opened;

    MountsInRoot(Syscalls sys, Path root) {
        this(sys, root, null);
    }

    /** @param opened the bind sources host root opened already (a user namespace's start), or null */
    MountsInRoot(Syscalls sys, Path root, BindSources opened) {
        this.sys = sys;
        this.root = root;
        this.opened = opened;
    }

    void mount(MountSpec mount) {
        MountOptions options = MountOptions.parse(mount.options());
        BindSources.Source source = opened == null || !options.isBind() ? null : opened.of(mount, options);
        boolean directory = !options.isBind() || (source != null ? source.directory() : sys.isDirectory(mount.source()));
        String inRoot = "/" + root.relativize(SecureJoin.resolve(root, mount.destination()));
        int rootFd = sys.open(root.toString(), O_PATH_DIR, 0);
        try {
            int target = directory ? directory(rootFd, inRoot) : file(rootFd, inRoot);
            try {
                if (options.copyUp()) {
                    copyUp(fdPath(target), Path.of(mount.source()));
                }
                if (options.isBind()) {
                    bind(source != null ? source.tree() : sys.openTree(mount.source(), options.isRecursive()), target, options);
                } else {
                    sys.mount(mount.source(), fdPath(target), mount.type(), options.flags(), options.data());
                    if (options.propagation() != 0) { // a new mount's own propagation: on the mount, now on top
                        int mounted = directory(rootFd, inRoot);
                        try {
                            sys.mountSetattr(mounted, false, 0, options.propagation());
                        } finally {
                            sys.closeQuietly(mounted);
                        }
                    }
                }
            } finally {
                sys.closeQuietly(target);
            }
        } finally {
            sys.closeQuietly(rootFd);
        }
    }

    /** Attaches tree (a detached clone of the source, closed here) at target. */
    private void bind(int tree, int target, MountOptions options) {
        try {
            if (options.attributes() != 0) {
                sys.mountSetattr(tree, true, options.attributes(), 0);
            }
            sys.moveMount(tree, target);
            sys.mountSetattr(tree, options.isRecursive(), 0, options.propagation() != 0 ? options.propagation() : MS_PRIVATE);
        } finally {
            sys.closeQuietly(tree);
        }
    }

    /** mkdir -p inside the root, each step by descriptor; returns an O_PATH descriptor of the directory. */
    private int directory(int rootFd, String inRoot) {
        try {
            return sys.openInRoot(rootFd, inRoot, O_PATH_DIR);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        List<String> parts = components(inRoot);
        int current = sys.openInRoot(rootFd, "/", O_PATH_DIR);
        try {
            String prefix = "";
            for (String part : parts) {
                prefix += "/" + part;
                try {
                    sys.mkdirAt(current, part, 0755);
                } catch (SyscallException e) {
                    if (e.errno() != Errno.EEXIST) {
                        throw e;
                    }
                }
                int next = sys.openInRoot(rootFd, prefix, O_PATH_DIR);
                sys.closeQuietly(current);
                current = next;
            }
            return current;
        } catch (RuntimeException e) {
            sys.closeQuietly(current);
            throw e;
        }
    }

    /** The file inside the root a file bind mount goes onto, created empty when missing. */
    private int file(int rootFd, String inRoot) {
        try {
            return sys.openInRoot(rootFd, inRoot, Libc.O_PATH | Libc.O_CLOEXEC);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        int slash = inRoot.lastIndexOf('/');
        int parent = directory(rootFd, slash <= 0 ? "/" : inRoot.substring(0, slash));
        try {
            sys.close(sys.openAt(parent, inRoot.substring(slash + 1),
                    Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_WRONLY | Libc.O_CLOEXEC, 0644));
        } finally {
            sys.closeQuietly(parent);
        }
        return sys.openInRoot(rootFd, inRoot, Libc.O_PATH | Libc.O_CLOEXEC);
    }

    private static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static String fdPath(int fd) {
        return "/proc/thread-self/fd/" + fd;
    }

    /**
     * Docker's first mount of a volume: when the volume is empty and the image has a directory at the
     * target, that directory's content (owners, modes, symbolic links as links) goes into the volume, and
     * the volume's root takes the directory's owner and mode. Nothing is followed out of the directory.
     */
    static void copyUp(String from, Path volume) {
        Path start = Path.of(from, "."); // through the descriptor's link, into the directory itself
        try {
            if (!Files.isDirectory(start) || !Files.isDirectory(volume, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (var entries = Files.list(volume)) {
                if (entries.findAny().isPresent()) {
                    return;
                }
            }
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(start)) {
                        copy(dir, volume.resolve(start.relativize(dir).toString()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    copy(file, volume.resolve(start.relativize(file).toString()));
                    return FileVisitResult.CONTINUE;
                }
            });
            Files.setAttribute(volume, "unix:mode", Files.getAttribute(start, "unix:mode"));
            Files.setAttribute(volume, "unix:uid", Files.getAttribute(start, "unix:uid"));
            Files.setAttribute(volume, "unix:gid", Files.getAttribute(start, "unix:gid"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fill volume " + volume + " from the image: " + e.getMessage(), e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    }
}
