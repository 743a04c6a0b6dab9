package dev.berth.runtime;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.linux.Syscalls;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.Defaults;
import dev.berth.spec.LinuxSpec;
import dev.berth.spec.MountSpec;
import dev.berth.spec.NamespaceType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.berth.runtime.MountOptions.MS_BIND;
import static dev.berth.runtime.MountOptions.MS_PRIVATE;
import static dev.berth.runtime.MountOptions.MS_RDONLY;
import static dev.berth.runtime.MountOptions.MS_REC;
import static dev.berth.runtime.MountOptions.MS_REMOUNT;
import static dev.berth.runtime.MountOptions.MS_SHARED;
import static dev.berth.runtime.MountOptions.MS_SLAVE;

/**
 * Builds the container's filesystem from inside its new mount namespace, on the spawner thread: the
 * overlay root, the kernel filesystems, /dev, the masks, then {@code pivot_root} into it. Every path is
 * resolved with {@link SecureJoin} so a hostile image cannot redirect a mount outside its root.
 * {@code /proc} is left for {@link ProcMount}: it can only be mounted once the PID namespace has a process.
 */
final class RootfsSetup {
    static final String START_FIFO = "/dev/.berth-start";

    /** The device nodes every container gets: name, major, minor (runc's default devices). */
    private static final List<Device> DEVICES = List.of(new Device("null", 1, 3), new Device("zero", 1, 5),
            new Device("full", 1, 7), new Device("random", 1, 8), new Device("urandom", 1, 9), new Device("tty", 5, 0));

    private record Device(String name, int major, int minor) {}

    private static final int S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000;

    private final ContainerSpec spec;
    private final Overlay overlay;
    private final BindSources opened;
    private final Path root;
    private final Syscalls sys;

    /** @param overlay the layers to merge at the root, or null when the root is a prepared directory (an OCI bundle's) */
    RootfsSetup(ContainerSpec spec, Overlay overlay, Syscalls sys) {
        this(spec, overlay, sys, null);
    }

    /** @param opened the bind mounts' sources, opened by host root for a user namespace's start (or null) */
    RootfsSetup(ContainerSpec spec, Overlay overlay, Syscalls sys, BindSources opened) {
        this.spec = spec;
        this.overlay = overlay;
        this.sys = sys;
        this.root = Path.of(spec.root().path());
        this.opened = opened;
    }

    /** Everything up to and including pivot_root; returns the terminal's master when one was asked for. */
    Terminal build() {
        sys.mount(null, "/", null, MS_REC | rootPropagation(), null);
        if (overlay != null) {
            sys.mount("overlay", root.toString(), "overlay", 0, overlay.mountData());
        } else {
            sys.mount(root.toString(), root.toString(), null, MS_BIND | MS_REC, null); // a bundle's prepared root
        }
        MountsInRoot userMounts = new MountsInRoot(sys, root, opened);
        for (MountSpec mount : spec.mounts()) {
            if (mount.type().equals("proc")) {
                mkdirs(SecureJoin.resolve(root, mount.destination()));
            } else if (Defaults.MOUNTS.contains(mount)) {
                mount(mount); // onto a root nothing else can reach yet
            } else {
                userMounts.mount(mount);
            }
        }
        createDevices();
        for (String path : spec.linux().maskedPaths()) {
            if (!path.startsWith("/proc/")) {
                maskPath(sys, SecureJoin.resolve(root, path).toString());
            }
        }
        Terminal terminal = spec.process().terminal() ? openTerminal() : null;
        String fifo = root + START_FIFO;
        sys.mknod(fifo, S_IFIFO | 0600, 0, 0);
        sys.chmod(fifo, 0666); // the command may run as any user and must open it
        if (spec.hostname() != null && spec.hasNamespace(NamespaceType.UTS)) {
            sys.sethostname(spec.hostname());
        }
        mkdirs(SecureJoin.resolve(root, spec.process().cwd()));
        pivotRoot();
        sys.chdir(spec.process().cwd());
        return terminal;
    }

    /**
     * rprivate, unless a mount asks to receive (rslave) or share (rshared) mount events: then the whole
     * namespace stays a slave of the host's, so events can reach it (Docker's rule).
     */
    private long rootPropagation() {
        boolean propagates = spec.mounts().stream()
                .map(m -> MountOptions.parse(m.options()).propagation())
                .anyMatch(p -> p == MS_SLAVE || p == MS_SHARED);
        String asked = spec.root().propagation();
        boolean rootReceives = asked != null && (asked.endsWith("slave") || asked.endsWith("shared"));
        return propagates || rootReceives ? MS_SLAVE : MS_PRIVATE;
    }

    /** One of the kernel filesystems every container gets (Defaults.MOUNTS: none is a bind mount). */
    private void mount(MountSpec mount) {
        Path target = SecureJoin.resolve(root, mount.destination());
        MountOptions options = MountOptions.parse(mount.options());
        mkdirs(target);
        sys.mount(mount.source(), target.toString(), mount.type(), options.flags(), options.data());
    }

    private void createDevices() {
        String dev = root + "/dev/";
        for (Device device : DEVICES) {
            String path = dev + device.name();
            if (!sys.exists(path)) {
                node(path, S_IFCHR | 0666, device.major(), device.minor(), "/dev/" + device.name());
            }
        }
        for (LinuxSpec.Device device : spec.linux().devices()) {
            Path path = SecureJoin.resolve(root, device.path());
            mkdirs(path.getParent());
            int kind = switch (device.type()) {
                case "b" -> S_IFBLK;
                case "p" -> S_IFIFO;
                default -> S_IFCHR;
            };
            node(path.toString(), kind | device.fileMode(), device.major(), device.minor(), device.path());
        }
        link("pts/ptmx", dev + "ptmx");
        link("/proc/self/fd", dev + "fd");
        link("/proc/self/fd/0", dev + "stdin");
        link("/proc/self/fd/1", dev + "stdout");
        link("/proc/self/fd/2", dev + "stderr");
        link("/proc/kcore", dev + "core");
    }

    /**
     * A device node; in a user namespace, where mknod is refused, the host's node at hostPath bound
     * onto an empty file instead (as runc does), its mode left as the host has it.
     */
    private void node(String path, int mode, int major, int minor, String hostPath) {
        try {
            sys.mknod(path, mode, major, minor);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EPERM || !spec.linux().newUserNamespace()) {
                throw e;
            }
            sys.close(sys.open(path, Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_WRONLY | Libc.O_CLOEXEC, 0644));
            sys.mount(hostPath, path, null, MS_BIND, null);
            return;
        }
        sys.chmod(path, mode & 07777);
    }

    private void link(String target, String path) {
        try {
            sys.symlink(target, path);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    private Terminal openTerminal() {
        Terminal terminal = Terminal.open(root + "/dev/pts/ptmx");
        String slave = root + terminal.slavePath();
        sys.chown(slave, spec.process().user().uid(), spec.process().user().gid());
        String console = root + "/dev/console";
        createFile(Path.of(console));
        sys.mount(slave, console, null, MS_BIND, null);
        return terminal;
    }

    private void pivotRoot() {
        sys.chdir(root.toString());
        sys.pivotRoot(".", ".");
        sys.umount2(".", 2 /* MNT_DETACH */);
        sys.chdir("/");
        String propagation = spec.root().propagation();
        if (propagation != null) { // on the root alone, once it is the container's: the host's mounts stay as they were
            sys.mount(null, "/", null, MountOptions.PROPAGATION.get(propagation)
                    | (propagation.startsWith("r") ? MS_REC : 0), null);
        }
        if (spec.root().readonly()) {
            sys.mount(null, "/", null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
        }
    }

    /** Hides path: /dev/null over a file, an empty read-only tmpfs over a directory; absent paths are fine. */
    static void maskPath(Syscalls sys, String path) {
        try {
            sys.mount("/dev/null", path, null, MS_BIND, null);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOTDIR) {
                sys.mount("tmpfs", path, "tmpfs", MS_RDONLY, null);
            } else if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    /** Makes path read-only by bind-mounting it onto itself and remounting; absent paths are fine. */
    static void readonlyPath(Syscalls sys, String path) {
        try {
            sys.mount(path, path, null, MS_BIND | MS_REC, null);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) {
                return;
            }
            throw e;
        }
        sys.mount(null, path, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, null);
    }

    /** mkdir -p with libc, since java.nio would resolve relative paths against the JVM's directory. */
    private void mkdirs(Path path) {
        if (sys.isDirectory(path.toString())) {
            return;
        }
        Path parent = path.getParent();
        if (parent != null) {
            mkdirs(parent);
        }
        try {
            sys.mkdir(path.toString(), 0755);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    private void createFile(Path path) {
        if (sys.exists(path.toString())) {
            return;
        }
        mkdirs(path.getParent());
        sys.close(sys.open(path.toString(), Libc.O_CREAT | Libc.O_WRONLY | Libc.O_CLOEXEC, 0644));
    }
}
