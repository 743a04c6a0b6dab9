package dev.berth.runtime;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.linux.Syscalls;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.MountSpec;

import java.util.function.BooleanSupplier;

/**
 * The second half of the rootfs, done from a helper thread once the container's first process exists:
 * a procfs that shows the container's PID namespace, mounted with the new mount API
 * ({@code fsconfig(FSCONFIG_SET_FD, "pidns")}) since no berth code runs inside that namespace, then the
 * /proc masks, then the release of the first process.
 *
 * <p>The first process waits before {@code execve} in a posix_spawn file action that opens a FIFO for
 * reading; opening its write end here lets it go, so the command never runs without its /proc.
 */
final class ProcMount {
    private static final long POLL_NANOS = 50_000;

    private final Syscalls sys;
    private final ProcessSetup setup;

    ProcMount(Syscalls sys, ProcessSetup setup) {
        this.sys = sys;
        this.setup = setup;
    }

    /**
     * @param spawnerTid  the thread whose pid_for_children namespace the container's is
     * @param mountNsFd   the container's mount namespace
     * @param spawnEnded  true once posix_spawn has returned (then nothing waits for us any more)
     * @param deadlineNanos System.nanoTime() after which waiting is an error
     * @param hold        leave the child waiting (released later by {@link #release})
     * @return the child's pid, -1 when the spawn ended before there was one
     */
    int mountAndRelease(ContainerSpec spec, int spawnerTid, int mountNsFd, BooleanSupplier spawnEnded,
                        long deadlineNanos, Confinement confinement, boolean hold) {
        int pidns = awaitPidNamespace(spawnerTid, spawnEnded, deadlineNanos);
        if (pidns < 0) {
            return -1;
        }
        int child;
        try {
            child = awaitChild(spawnerTid, spawnEnded, deadlineNanos);
        } catch (RuntimeException e) {
            sys.closeQuietly(pidns);
            throw e;
        }
        if (child < 0) {
            sys.closeQuietly(pidns);
            return -1;
        }
        confinement.addProcess(child);
        setup.applyOomScoreAdj(child, spec.process().oomScoreAdj());
        setup.applyRlimits(child, spec.process());
        int mountFd;
        try {
            int fs = sys.fsopen("proc");
            try {
                sys.fsconfig(fs, Libc.FSCONFIG_SET_STRING, "source", "proc", 0); // as mount(8) names it
                sys.fsconfig(fs, Libc.FSCONFIG_SET_FD, "pidns", null, pidns);
                sys.fsconfig(fs, Libc.FSCONFIG_CMD_CREATE, null, null, 0);
                mountFd = sys.fsmount(fs, Libc.MOUNT_ATTR_NOSUID | Libc.MOUNT_ATTR_NODEV | Libc.MOUNT_ATTR_NOEXEC);
            } finally {
                sys.closeQuietly(fs);
            }
        } finally {
            sys.closeQuietly(pidns);
        }
        try {
            if (hold) {
                awaitWaitingAtFifo(child, deadlineNanos); // through the host's /proc, before the thread leaves it
            }
            sys.unshare(0x200 /* CLONE_FS */);
            sys.setns(mountNsFd, 0x20000 /* CLONE_NEWNS */);
            sys.moveMount(mountFd, "/proc");
        } finally {
            sys.closeQuietly(mountFd);
        }
        if (hold) {
            reattachInConfigOrder(spec);
        }
        for (String path : spec.linux().maskedPaths()) {
            if (path.startsWith("/proc/")) {
                RootfsSetup.maskPath(sys, path);
            }
        }
        for (String path : spec.linux().readonlyPaths()) {
            RootfsSetup.readonlyPath(sys, path);
        }
        if (!hold) {
            release(sys, RootfsSetup.START_FIFO, spawnEnded, deadlineNanos);
        }
        return child;
    }

    /**
     * Waits until the child sleeps in its open of the start FIFO (the kernel's fifo_open waits in
     * wait_for_partner): past every path it resolves before its command's.
     */
    private void awaitWaitingAtFifo(int child, long deadlineNanos) {
        while (!sys.read("/proc/" + child + "/wchan").trim().equals("wait_for_partner")) {
            pause(deadlineNanos, "the container's first process to wait for its start");
        }
    }

    /**
     * For a container created to be started later (an OCI runtime's create), the order of its mount
     * table: it lists mounts in the order they were made, and /proc could only be made now. The
     * mounts the config lists after it (each with what is mounted below it) are cloned back onto
     * themselves, so the container's table reads in the config's order, as runc's does (the OCI
     * runtime-tools check it). Done only once the first process waits at its FIFO, past the paths it
     * opens: a path looked up between the detach and the move would miss the mount. A clone joins its
     * original's peer group and master (as a bind mount does), so shared and slave mounts keep receiving
     * and sharing mount events.
     */
    private void reattachInConfigOrder(ContainerSpec spec) {
        java.util.List<String> reattached = new java.util.ArrayList<>();
        boolean afterProc = false;
        for (MountSpec mount : spec.mounts()) {
            String destination = java.nio.file.Path.of(mount.destination()).normalize().toString();
            if (mount.type().equals("proc")) {
                afterProc = destination.equals("/proc");
                continue;
            }
            if (!afterProc || reattached.stream().anyMatch(d -> destination.startsWith(d + "/") || destination.equals(d))) {
                continue;
            }
            boolean unbindable = MountOptions.parse(mount.options()).propagation() == MountOptions.MS_UNBINDABLE;
            if (unbindable) { // an unbindable mount cannot be cloned: private for the clone, unbindable again after
                sys.mount(null, destination, null, MountOptions.MS_REC | MountOptions.MS_PRIVATE, null);
            }
            int tree = sys.openTree(destination, true);
            try {
                sys.umount2(destination, 2 /* MNT_DETACH */);
                sys.moveMount(tree, destination);
                if (unbindable) {
                    sys.mountSetattr(tree, MountOptions.parse(mount.options()).isRecursive(), 0, MountOptions.MS_UNBINDABLE);
                }
            } finally {
                sys.closeQuietly(tree);
            }
            reattached.add(destination);
        }
    }

    /**
     * The process the spawner thread started: there once a new PID namespace has its pid_for_children, but
     * waited for when the namespace was joined (or is the host's). -1 when the spawn ended without one.
     */
    private int awaitChild(int spawnerTid, BooleanSupplier spawnEnded, long deadlineNanos) {
        while (true) {
            String children = sys.read("/proc/" + spawnerTid + "/task/" + spawnerTid + "/children").trim();
            if (!children.isEmpty()) {
                return Integer.parseInt(children.split("\\s+")[0]);
            }
            if (spawnEnded.getAsBoolean()) {
                return -1;
            }
            pause(deadlineNanos, "the container's first process to appear");
        }
    }

    /** Opens the spawner's pid_for_children once its first child exists; -1 when the spawn ended first. */
    private int awaitPidNamespace(int spawnerTid, BooleanSupplier spawnEnded, long deadlineNanos) {
        String path = "/proc/" + spawnerTid + "/task/" + spawnerTid + "/ns/pid_for_children"; // a thread, or a process
        while (true) {
            try {
                return sys.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            } catch (SyscallException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
            if (spawnEnded.getAsBoolean()) {
                return -1;
            }
            pause(deadlineNanos, "the container's first process to appear");
        }
    }

    /** Opens the FIFO at path for writing once its reader waits; false when there is none to release. */
    static boolean release(Syscalls sys, String fifo, BooleanSupplier spawnEnded, long deadlineNanos) {
        int fd = -1;
        while (fd < 0) {
            try {
                fd = sys.open(fifo, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENOENT) {
                    return false;
                }
                if (e.errno() != Errno.ENXIO) { // ENXIO: no reader yet
                    throw e;
                }
                if (spawnEnded.getAsBoolean()) {
                    return false;
                }
                pause(deadlineNanos, "the container's first process to wait for its start");
            }
        }
        try {
            sys.unlink(fifo);
        } catch (SyscallException e) {
            // released already: a command that ends at once takes its root (and the FIFO) with it
        } finally {
            sys.closeQuietly(fd);
        }
        return true;
    }

    private static void pause(long deadlineNanos, String what) {
        if (System.nanoTime() > deadlineNanos) {
            throw new IllegalStateException("timed out waiting for " + what);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
    }
}
