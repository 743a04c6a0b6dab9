package dev.berth.runtime;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.spec.ContainerSpec;

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

    private ProcMount() {}

    /**
     * @param spawnerTid  the thread whose pid_for_children namespace the container's is
     * @param mountNsFd   the container's mount namespace
     * @param spawnEnded  true once posix_spawn has returned (then nothing waits for us any more)
     * @param deadlineNanos System.nanoTime() after which waiting is an error
     */
    static void mountAndRelease(ContainerSpec spec, int spawnerTid, int mountNsFd, BooleanSupplier spawnEnded,
                                long deadlineNanos, Confinement confinement) {
        int pidns = awaitPidNamespace(spawnerTid, spawnEnded, deadlineNanos);
        if (pidns < 0) {
            return;
        }
        confinement.addProcess(childOf(spawnerTid));
        int mountFd;
        try {
            int fs = Libc.fsopen("proc");
            try {
                Libc.fsconfig(fs, Libc.FSCONFIG_SET_FD, "pidns", null, pidns);
                Libc.fsconfig(fs, Libc.FSCONFIG_CMD_CREATE, null, null, 0);
                mountFd = Libc.fsmount(fs, Libc.MOUNT_ATTR_NOSUID | Libc.MOUNT_ATTR_NODEV | Libc.MOUNT_ATTR_NOEXEC);
            } finally {
                Libc.closeQuietly(fs);
            }
        } finally {
            Libc.closeQuietly(pidns);
        }
        try {
            Libc.unshare(0x200 /* CLONE_FS */);
            Libc.setns(mountNsFd, 0x20000 /* CLONE_NEWNS */);
            Libc.moveMount(mountFd, "/proc");
        } finally {
            Libc.closeQuietly(mountFd);
        }
        for (String path : spec.linux().maskedPaths()) {
            if (path.startsWith("/proc/")) {
                RootfsSetup.maskPath(path);
            }
        }
        for (String path : spec.linux().readonlyPaths()) {
            RootfsSetup.readonlyPath(path);
        }
        release(spawnEnded, deadlineNanos);
    }

    /** The process the spawner thread started (it exists once its pid_for_children namespace does). */
    private static int childOf(int spawnerTid) {
        try {
            return Integer.parseInt(dev.berth.linux.Procfs.read("/proc/self/task/" + spawnerTid + "/children").trim()
                    .split("\\s+")[0]);
        } catch (java.io.IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot find the container's first process", e);
        }
    }

    /** Opens the spawner's pid_for_children once its first child exists; -1 when the spawn ended first. */
    private static int awaitPidNamespace(int spawnerTid, BooleanSupplier spawnEnded, long deadlineNanos) {
        String path = "/proc/self/task/" + spawnerTid + "/ns/pid_for_children";
        while (true) {
            try {
                return Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
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

    private static void release(BooleanSupplier spawnEnded, long deadlineNanos) {
        while (true) {
            try {
                int fd = Libc.open(RootfsSetup.START_FIFO, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
                Libc.close(fd);
                Libc.unlink(RootfsSetup.START_FIFO);
                return;
            } catch (SyscallException e) {
                if (e.errno() != Errno.ENXIO) { // ENXIO: no reader yet
                    throw e;
                }
            }
            if (spawnEnded.getAsBoolean()) {
                return;
            }
            pause(deadlineNanos, "the container's first process to wait for its start");
        }
    }

    private static void pause(long deadlineNanos, String what) {
        if (System.nanoTime() > deadlineNanos) {
            throw new IllegalStateException("timed out waiting for " + what);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
    }
}
