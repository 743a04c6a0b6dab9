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
     */
    void mountAndRelease(ContainerSpec spec, int spawnerTid, int mountNsFd, BooleanSupplier spawnEnded,
                                long deadlineNanos, Confinement confinement) {
        int pidns = awaitPidNamespace(spawnerTid, spawnEnded, deadlineNanos);
        if (pidns < 0) {
            return;
        }
        int child = childOf(spawnerTid);
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
        release(spawnEnded, deadlineNanos);
    }

    /** The process the spawner thread started (it exists once its pid_for_children namespace does). */
    private int childOf(int spawnerTid) {
        try {
            return Integer.parseInt(sys.read("/proc/self/task/" + spawnerTid + "/children").trim().split("\\s+")[0]);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot find the container's first process", e);
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

    private void release(BooleanSupplier spawnEnded, long deadlineNanos) {
        while (true) {
            try {
                int fd = sys.open(RootfsSetup.START_FIFO, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
                sys.close(fd);
                sys.unlink(RootfsSetup.START_FIFO);
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
