package dev.berth.runtime;

import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.linux.Syscalls;
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
        setup.applyRlimits(child, spec.process().rlimits());
        int mountFd;
        try {
            int fs = sys.fsopen("proc");
            try {
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
            sys.unshare(0x200 /* CLONE_FS */);
            sys.setns(mountNsFd, 0x20000 /* CLONE_NEWNS */);
            sys.moveMount(mountFd, "/proc");
        } finally {
            sys.closeQuietly(mountFd);
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
     * The process the spawner thread started: there once a new PID namespace has its pid_for_children, but
     * waited for when the namespace was joined (or is the host's). -1 when the spawn ended without one.
     */
    private int awaitChild(int spawnerTid, BooleanSupplier spawnEnded, long deadlineNanos) {
        while (true) {
            String children = sys.read("/proc/self/task/" + spawnerTid + "/children").trim();
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
        String path = "/proc/self/task/" + spawnerTid + "/ns/pid_for_children";
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
