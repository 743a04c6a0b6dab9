package dev.berth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.berth.linux.Native.call;
import static dev.berth.linux.Native.str;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Every libc function and raw system call berth uses, bound once through FFM.
 *
 * <p>Calls that fail throw {@link SyscallException} naming the call, its subject and the errno. Raw
 * {@code syscall()} is used where glibc's wrapper would act on the whole process instead of the calling
 * thread (setresuid and friends broadcast to every thread), or where glibc has no wrapper. Syscall numbers
 * are those of x86_64.
 */
public final class Libc {

    public static final int AT_FDCWD = -100;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DIRECTORY = 0200000,
            O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    public static final int X_OK = 1;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;

    private static final long SYS_SETGROUPS = 116, SYS_SETRESUID = 117, SYS_SETRESGID = 119,
            SYS_CAPSET = 126, SYS_PIVOT_ROOT = 155, SYS_GETTID = 186, SYS_PIDFD_SEND_SIGNAL = 424,
            SYS_MOVE_MOUNT = 429, SYS_FSOPEN = 430, SYS_FSCONFIG = 431, SYS_FSMOUNT = 432,
            SYS_PIDFD_OPEN = 434, SYS_PIDFD_GETFD = 438, SYS_CHROOT = 161, SYS_OPEN_TREE = 428, SYS_OPENAT2 = 437,
            SYS_MOUNT_SETATTR = 442;
    /**
     * The calls made on a container's start go through syscall(2), one FFM binding: linking a binding
     * costs a cold JVM ~3 ms, and a create makes two dozen kinds of call.
     */
    private static final long SYS_READ = 0, SYS_WRITE = 1, SYS_CLOSE = 3, SYS_POLL = 7, SYS_IOCTL = 16,
            SYS_ACCESS = 21, SYS_GETPID = 39, SYS_KILL = 62, SYS_CHDIR = 80, SYS_FCHDIR = 81,
            SYS_UMASK = 95, SYS_GETEUID = 107, SYS_SETSID = 112, SYS_PRCTL = 157, SYS_MOUNT = 165, SYS_UMOUNT2 = 166,
            SYS_SETHOSTNAME = 170, SYS_WAITID = 247, SYS_OPENAT = 257, SYS_MKDIRAT = 258, SYS_MKNODAT = 259,
            SYS_FCHOWNAT = 260, SYS_UNLINKAT = 263, SYS_SYMLINKAT = 266, SYS_FCHMODAT = 268, SYS_UNSHARE = 272,
            SYS_PIPE2 = 293, SYS_SETNS = 308;
    private static final int S_IFIFO = 0010000;

    private static final Native.Downcall LSETXATTR = Native.errnoFn("lsetxattr", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Native.Downcall UTIMENSAT =
            Native.errnoFn("utimensat", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final Native.Downcall SOCKET = Native.errnoFn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Native.Downcall SEND = Native.errnoFn("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Native.Downcall CONNECT = Native.errnoFn("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Native.Downcall SENDMSG = Native.errnoFn("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Native.Downcall RECV = Native.errnoFn("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Native.Downcall EXIT_NOW = Native.fn("_exit", JAVA_INT, JAVA_INT);
    private static final Native.Downcall SYSCALL6 = Native.errnoVariadic("syscall", 1, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private Libc() {}

    /** Links every binding now: for the AOT training run, so the cache holds what linking produces. */
    public static void linkAll() {
        Native.linkAll(Libc.class, Tty.class, Spawn.class);
    }

    // ---- namespaces, mounts -----------------------------------------------------------------------

    public static void unshare(int flags) {
        call("unshare", "0x" + Integer.toHexString(flags), (st, a) -> syscall(st, SYS_UNSHARE, flags, 0, 0, 0, 0, 0));
    }

    public static void setns(int fd, int nstype) {
        call("setns", "0x" + Integer.toHexString(nstype), (st, a) -> syscall(st, SYS_SETNS, fd, nstype, 0, 0, 0, 0));
    }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        call("mount", target + (fstype != null ? " (" + fstype + ")" : ""), (st, a) -> syscall(st, SYS_MOUNT,
                str(a, source).address(), str(a, target).address(), str(a, fstype).address(), flags, str(a, data).address(), 0));
    }

    public static void umount2(String target, int flags) {
        call("umount2", target, (st, a) -> syscall(st, SYS_UMOUNT2, str(a, target).address(), flags, 0, 0, 0, 0));
    }

    public static void pivotRoot(String newRoot, String putOld) {
        call("pivot_root", newRoot, (st, a) -> syscall(st, SYS_PIVOT_ROOT,
                str(a, newRoot).address(), str(a, putOld).address(), 0, 0, 0, 0));
    }

    public static void sethostname(String name) {
        call("sethostname", name, (st, a) -> {
            MemorySegment s = a.allocateFrom(name);
            return syscall(st, SYS_SETHOSTNAME, s.address(), name.getBytes().length, 0, 0, 0, 0);
        });
    }

    /** fsopen(2): a new filesystem context, for mounts that must carry options the old API lacks. */
    public static int fsopen(String fstype) {
        return (int) call("fsopen", fstype, (st, a) -> syscall(st, SYS_FSOPEN, str(a, fstype).address(), 1, 0, 0, 0, 0));
    }

    public static final int FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_SET_FD = 5, FSCONFIG_CMD_CREATE = 6;

    public static void fsconfig(int fsfd, int cmd, String key, String value, int aux) {
        call("fsconfig", key == null ? "create" : key, (st, a) -> syscall(st, SYS_FSCONFIG, fsfd, cmd,
                str(a, key).address(), str(a, value).address(), aux, 0));
    }

    public static final int MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4, MOUNT_ATTR_NOEXEC = 8;

    public static int fsmount(int fsfd, int attrs) {
        return (int) call("fsmount", null, (st, a) -> syscall(st, SYS_FSMOUNT, fsfd, 1 /* FSMOUNT_CLOEXEC */, attrs, 0, 0, 0));
    }

    /** move_mount(2) of a detached mount onto a path of the caller's mount namespace. */
    public static void moveMount(int mountFd, String target) {
        call("move_mount", target, (st, a) -> syscall(st, SYS_MOVE_MOUNT, mountFd, a.allocateFrom("").address(),
                AT_FDCWD, str(a, target).address(), 4 /* MOVE_MOUNT_F_EMPTY_PATH */, 0));
    }

    public static final int OPEN_TREE_CLONE = 1, AT_RECURSIVE = 0x8000;

    /** open_tree(2) with OPEN_TREE_CLONE: a detached copy of the mount tree at path, as a descriptor. */
    public static int openTree(String path, int flags) {
        return (int) call("open_tree", path, (st, a) -> syscall(st, SYS_OPEN_TREE, AT_FDCWD, str(a, path).address(),
                flags | O_CLOEXEC, 0, 0, 0));
    }

    /** move_mount(2) of a detached mount onto the directory or file targetFd refers to (both by descriptor). */
    public static void moveMount(int mountFd, int targetFd) {
        call("move_mount", "fd " + targetFd, (st, a) -> {
            MemorySegment empty = a.allocateFrom("");
            return syscall(st, SYS_MOVE_MOUNT, mountFd, empty.address(), targetFd, empty.address(),
                    4 /* MOVE_MOUNT_F_EMPTY_PATH */ | 0x40 /* MOVE_MOUNT_T_EMPTY_PATH */, 0);
        });
    }

    /**
     * mount_setattr(2) on the mount mountFd refers to (and, with AT_RECURSIVE, every mount below it):
     * MOUNT_ATTR_* flags to set and clear, and a propagation type (MS_PRIVATE, MS_SLAVE, MS_SHARED, or 0).
     */
    public static void mountSetattr(int mountFd, int flags, long set, long clear, long propagation) {
        call("mount_setattr", "fd " + mountFd, (st, a) -> {
            MemorySegment attr = a.allocate(32);
            attr.set(JAVA_LONG, 0, set);
            attr.set(JAVA_LONG, 8, clear);
            attr.set(JAVA_LONG, 16, propagation);
            return syscall(st, SYS_MOUNT_SETATTR, mountFd, a.allocateFrom("").address(), flags | AT_EMPTY_PATH,
                    attr.address(), 32, 0);
        });
    }

    public static void chroot(String path) {
        call("chroot", path, (st, a) -> syscall(st, SYS_CHROOT, str(a, path).address(), 0, 0, 0, 0, 0));
    }

    // ---- files --------------------------------------------------------------------------------------

    public static int open(String path, int flags, int mode) {
        return openat(AT_FDCWD, path, flags, mode);
    }

    public static int openat(int dirfd, String path, int flags, int mode) {
        return (int) call("open", path, (st, a) -> syscall(st, SYS_OPENAT, dirfd, str(a, path).address(), flags, mode, 0, 0));
    }

    public static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

    /**
     * openat2(2): path resolved as if dirfd were the root (RESOLVE_IN_ROOT: symbolic links and ".." never
     * leave it), the kernel's answer to the symlink races of CVE-2021-30465.
     */
    public static int openat2(int dirfd, String path, int flags, long resolve) {
        return (int) call("openat2", path, (st, a) -> {
            MemorySegment how = a.allocate(24);
            how.set(JAVA_LONG, 0, flags & 0xffffffffL);
            how.set(JAVA_LONG, 16, resolve);
            return syscall(st, SYS_OPENAT2, dirfd, str(a, path).address(), how.address(), 24, 0, 0);
        });
    }

    public static void mkdirat(int dirfd, String name, int mode) {
        call("mkdir", name, (st, a) -> syscall(st, SYS_MKDIRAT, dirfd, str(a, name).address(), mode, 0, 0, 0));
    }

    public static void close(int fd) {
        if (fd >= 0) {
            call("close", null, (st, a) -> syscall(st, SYS_CLOSE, fd, 0, 0, 0, 0, 0));
        }
    }

    /** Closes fd, ignoring errors: for clean-up paths that must not hide the original failure. */
    public static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (RuntimeException ignored) {
            // nothing useful to do: the fd is gone either way
        }
    }

    public static int read(int fd, MemorySegment buffer, long length) {
        return (int) call("read", null, (st, a) -> syscall(st, SYS_READ, fd, buffer.address(), length, 0, 0, 0));
    }

    public static int write(int fd, MemorySegment buffer, long length) {
        return (int) call("write", null, (st, a) -> syscall(st, SYS_WRITE, fd, buffer.address(), length, 0, 0, 0));
    }

    /** Writes length bytes of buffer, however many write(2) calls that takes. */
    public static void writeFully(int fd, MemorySegment buffer, long length) {
        for (long done = 0; done < length; ) {
            done += write(fd, buffer.asSlice(done), length - done);
        }
    }

    public static void chdir(String path) {
        call("chdir", path, (st, a) -> syscall(st, SYS_CHDIR, str(a, path).address(), 0, 0, 0, 0, 0));
    }

    public static void fchdir(int fd) {
        call("fchdir", null, (st, a) -> syscall(st, SYS_FCHDIR, fd, 0, 0, 0, 0, 0));
    }

    public static void mknod(String path, int mode, int major, int minor) {
        long dev = ((long) (major & 0xfff) << 8) | (minor & 0xff) | ((long) (minor & ~0xff) << 12);
        call("mknod", path, (st, a) -> syscall(st, SYS_MKNODAT, AT_FDCWD, str(a, path).address(), mode, dev, 0, 0));
    }

    /** Sets an extended attribute on path itself (not what a symbolic link points to). */
    public static void lsetxattr(String path, String name, byte[] value) {
        call("lsetxattr", path, (st, a) -> {
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, value.length);
            return (int) LSETXATTR.handle().invokeExact(st, str(a, path), str(a, name), v, (long) value.length, 0);
        });
    }

    /** pipe2(2) with O_CLOEXEC: {read end, write end}. */
    public static int[] pipe() {
        int[] ends = new int[2];
        call("pipe2", null, (st, a) -> {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            int r = (int) syscall(st, SYS_PIPE2, fds.address(), O_CLOEXEC, 0, 0, 0, 0);
            ends[0] = fds.getAtIndex(JAVA_INT, 0);
            ends[1] = fds.getAtIndex(JAVA_INT, 1);
            return r;
        });
        return ends;
    }

    public static void mkfifo(String path, int mode) {
        call("mkfifo", path, (st, a) -> syscall(st, SYS_MKNODAT, AT_FDCWD, str(a, path).address(), mode | S_IFIFO, 0, 0, 0));
    }

    public static void mkdir(String path, int mode) {
        call("mkdir", path, (st, a) -> syscall(st, SYS_MKDIRAT, AT_FDCWD, str(a, path).address(), mode, 0, 0, 0));
    }

    /**
     * Sets a file's access and modification times by path without opening it or following a final
     * symlink (utimensat with AT_SYMLINK_NOFOLLOW): opening a FIFO would block.
     */
    public static void setTimes(String path, long epochSeconds, int nanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment times = arena.allocate(32, 8);
            for (int i = 0; i < 2; i++) {
                times.set(JAVA_LONG, i * 16L, epochSeconds);
                times.set(JAVA_LONG, i * 16L + 8, nanos);
            }
            call("utimensat", path, (st, a) -> (int) UTIMENSAT.handle().invokeExact(st, AT_FDCWD, str(a, path), times,
                    AT_SYMLINK_NOFOLLOW));
        }
    }

    public static void chmod(String path, int mode) {
        call("chmod", path, (st, a) -> syscall(st, SYS_FCHMODAT, AT_FDCWD, str(a, path).address(), mode, 0, 0, 0));
    }

    public static void unlink(String path) {
        call("unlink", path, (st, a) -> syscall(st, SYS_UNLINKAT, AT_FDCWD, str(a, path).address(), 0, 0, 0, 0));
    }

    public static void symlink(String target, String linkPath) {
        call("symlink", linkPath, (st, a) -> syscall(st, SYS_SYMLINKAT, str(a, target).address(), AT_FDCWD, str(a, linkPath).address(), 0, 0, 0));
    }

    public static void chown(String path, int uid, int gid) {
        call("chown", path, (st, a) -> syscall(st, SYS_FCHOWNAT, AT_FDCWD, str(a, path).address(), uid, gid, 0, 0));
    }

    public static int socket(int domain, int type, int protocol) {
        return (int) call("socket", null, (st, a) -> (int) SOCKET.handle().invokeExact(st, domain, type, protocol));
    }

    public static long send(int fd, MemorySegment buffer, long length) {
        return call("send", null, (st, a) -> (long) SEND.handle().invokeExact(st, fd, buffer, length, 0));
    }

    public static long recv(int fd, MemorySegment buffer, long length) {
        return call("recv", null, (st, a) -> (long) RECV.handle().invokeExact(st, fd, buffer, length, 0));
    }

    /**
     * Sends fd over the Unix stream socket at socketPath with SCM_RIGHTS, the name as the message's data
     * (how runc hands a terminal's master to an engine's --console-socket).
     */
    public static void sendFd(String socketPath, int fd, String name) {
        int sock = socket(1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | O_CLOEXEC, 0);
        try {
            call("connect", socketPath, (st, a) -> {
                MemorySegment address = a.allocate(110);
                byte[] path = socketPath.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (path.length > 107) {
                    throw new IllegalArgumentException("socket path too long: " + socketPath);
                }
                address.set(JAVA_SHORT, 0, (short) 1);
                MemorySegment.copy(path, 0, address, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, path.length);
                return (int) CONNECT.handle().invokeExact(st, sock, address, 2 + path.length + 1);
            });
            call("sendmsg", socketPath, (st, a) -> {
                byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                MemorySegment data = a.allocate(Math.max(1, bytes.length));
                MemorySegment.copy(bytes, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
                MemorySegment iov = a.allocate(16, 8);
                iov.set(ADDRESS, 0, data);
                iov.set(JAVA_LONG, 8, Math.max(1, bytes.length));
                MemorySegment control = a.allocate(24, 8); // CMSG_SPACE(sizeof(int))
                control.set(JAVA_LONG, 0, 20);              // CMSG_LEN(sizeof(int))
                control.set(JAVA_INT, 8, 1);                // SOL_SOCKET
                control.set(JAVA_INT, 12, 1);               // SCM_RIGHTS
                control.set(JAVA_INT, 16, fd);
                MemorySegment message = a.allocate(56, 8);  // struct msghdr
                message.set(ADDRESS, 16, iov);
                message.set(JAVA_LONG, 24, 1);
                message.set(ADDRESS, 32, control);
                message.set(JAVA_LONG, 40, 24);
                return (int) (long) SENDMSG.handle().invokeExact(st, sock, message, 0);
            });
        } finally {
            closeQuietly(sock);
        }
    }

    /** access(2) with X_OK: true when the calling thread may execute path. */
    public static boolean isExecutable(String path) {
        try {
            call("access", path, (st, a) -> syscall(st, SYS_ACCESS, str(a, path).address(), X_OK, 0, 0, 0, 0));
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    /** umask(2): per thread once the thread has its own fs_struct (unshare(CLONE_FS)). */
    public static int umask(int mask) {
        return (int) call("umask", null, (st, a) -> syscall(st, SYS_UMASK, mask, 0, 0, 0, 0, 0));
    }

    // ---- processes ----------------------------------------------------------------------------------

    public static void kill(int pid, int signal) {
        call("kill", "pid " + pid + " signal " + signal, (st, a) -> syscall(st, SYS_KILL, pid, signal, 0, 0, 0, 0));
    }

    public static int pidfdOpen(int pid) {
        return (int) call("pidfd_open", "pid " + pid, (st, a) -> syscall(st, SYS_PIDFD_OPEN, pid, 0, 0, 0, 0, 0));
    }

    /**
     * A descriptor of this process for another process's fd: the same open file description (its
     * offset, flags and, for a socket or a pipe, its peer), close-on-exec.
     */
    public static int pidfdGetfd(int pidfd, int fd) {
        return (int) call("pidfd_getfd", "fd " + fd, (st, a) -> syscall(st, SYS_PIDFD_GETFD, pidfd, fd, 0, 0, 0, 0));
    }

    public static void pidfdSendSignal(int pidfd, int signal) {
        call("pidfd_send_signal", "signal " + signal,
                (st, a) -> syscall(st, SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0, 0));
    }

    public static final int P_PIDFD = 3, WEXITED = 4, WNOHANG = 1, WNOWAIT = 0x01000000;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    /** waitid(P_PIDFD) for an exited child; returns {si_code, si_status}, or null with WNOHANG and no exit yet. */
    public static int[] waitPidfd(int pidfd, int options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(128);
            while (true) {
                try {
                    call("waitid", null, (st, a) -> syscall(st, SYS_WAITID, P_PIDFD, pidfd, info.address(), WEXITED | options, 0, 0));
                    break;
                } catch (SyscallException e) {
                    if (e.errno() != Errno.EINTR) {
                        throw e;
                    }
                }
            }
            int pid = info.get(JAVA_INT, 16);
            if (pid == 0) {
                return null;
            }
            return new int[] {info.get(JAVA_INT, 8), info.get(JAVA_INT, 24)};
        }
    }

    public static final short POLLIN = 1, POLLHUP = 0x10;

    /** poll(2) on several fds for POLLIN; returns which became readable (none on timeout). */
    public static boolean[] pollReadable(int[] fds, int timeoutMillis) {
        boolean[] readable = new boolean[fds.length];
        if (fds.length == 0) {
            try {
                Thread.sleep(timeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return readable;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfds = arena.allocate(8L * fds.length);
            for (int i = 0; i < fds.length; i++) {
                pfds.set(JAVA_INT, 8L * i, fds[i]);
                pfds.set(JAVA_SHORT, 8L * i + 4, POLLIN);
            }
            try {
                call("poll", null, (st, a) -> syscall(st, SYS_POLL, pfds.address(), fds.length, timeoutMillis, 0, 0, 0));
            } catch (SyscallException e) {
                if (e.errno() != Errno.EINTR) {
                    throw e;
                }
            }
            for (int i = 0; i < fds.length; i++) {
                readable[i] = (pfds.get(JAVA_SHORT, 8L * i + 6) & (POLLIN | POLLHUP)) != 0;
            }
        }
        return readable;
    }

    /** poll(2) on one fd; returns the revents, 0 on timeout. */
    public static int poll(int fd, short events, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(8);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(JAVA_SHORT, 4, events);
            long n = call("poll", null, (st, a) -> syscall(st, SYS_POLL, pfd.address(), 1, timeoutMillis, 0, 0, 0));
            return n == 0 ? 0 : pfd.get(JAVA_SHORT, 6) & 0xffff;
        }
    }

    public static final int PR_SET_PDEATHSIG = 1, PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24,
            PR_SET_CHILD_SUBREAPER = 36, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47;

    public static void prctl(int option, long arg2, long arg3) {
        call("prctl", "option " + option, (st, a) -> syscall(st, SYS_PRCTL, option, arg2, arg3, 0, 0, 0));
    }

    private static final int PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2;

    /**
     * Installs a seccomp filter on the calling thread (prctl PR_SET_SECCOMP): program is a classic BPF
     * program, struct sock_filter[] as {@link Libseccomp.Filter#export} writes it. Needs no_new_privs or
     * CAP_SYS_ADMIN; what the thread then creates inherits the filter.
     */
    public static void seccompFilter(byte[] program) {
        if (program.length == 0 || program.length % 8 != 0) {
            throw new IllegalArgumentException("a BPF program is a non-empty array of 8-byte instructions");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(program.length, 8);
            MemorySegment.copy(program, 0, filter, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, program.length);
            MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            fprog.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) (program.length / 8));
            fprog.set(java.lang.foreign.ValueLayout.ADDRESS, 8, filter);
            call("prctl", "PR_SET_SECCOMP", (st, a) -> syscall(st, SYS_PRCTL, PR_SET_SECCOMP,
                    SECCOMP_MODE_FILTER, fprog.address(), 0, 0, 0));
        }
    }

    /** setgroups, setresgid and setresuid of the calling thread only (raw syscalls, not glibc's broadcast). */
    public static void setThreadIdentity(int uid, int gid, int[] groups) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(JAVA_INT, Math.max(1, groups.length));
            for (int i = 0; i < groups.length; i++) {
                list.setAtIndex(JAVA_INT, i, groups[i]);
            }
            call("setgroups", null, (st, a) -> syscall(st, SYS_SETGROUPS, groups.length, list.address(), 0, 0, 0, 0));
        }
        call("setresgid", "gid " + gid, (st, a) -> syscall(st, SYS_SETRESGID, gid, gid, gid, 0, 0, 0));
        call("setresuid", "uid " + uid, (st, a) -> syscall(st, SYS_SETRESUID, uid, uid, uid, 0, 0, 0));
    }

    /** capset(2) for the calling thread: the three sets as 64-bit masks (version 3 header). */
    public static void capset(long effective, long permitted, long inheritable) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(8);
            header.set(JAVA_INT, 0, 0x20080522); // _LINUX_CAPABILITY_VERSION_3
            header.set(JAVA_INT, 4, 0);
            MemorySegment data = arena.allocate(24);
            for (int i = 0; i < 2; i++) {
                data.set(JAVA_INT, i * 12L, (int) (effective >>> (32 * i)));
                data.set(JAVA_INT, i * 12L + 4, (int) (permitted >>> (32 * i)));
                data.set(JAVA_INT, i * 12L + 8, (int) (inheritable >>> (32 * i)));
            }
            call("capset", null, (st, a) -> syscall(st, SYS_CAPSET, header.address(), data.address(), 0, 0, 0, 0));
        }
    }

    private static final int SYS_PRLIMIT64 = 302;

    /** prlimit(2) of another process: one resource's soft and hard limits (RLIM_INFINITY for -1). */
    public static void prlimit(int pid, int resource, long soft, long hard) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(16, 8);
            limit.set(JAVA_LONG, 0, soft);   // -1 is RLIM_INFINITY
            limit.set(JAVA_LONG, 8, hard);
            call("prlimit", "resource " + resource, (st, a) -> syscall(st, SYS_PRLIMIT64, pid, resource, limit.address(), 0, 0, 0));
        }
    }

    /**
     * prlimit(2) of a process running as uid:gid, from a caller without CAP_SYS_RESOURCE (which the kernel
     * then lets act only on processes of its own real ids): the calling thread takes uid:gid as its real
     * and effective ids for the call, keeping 0 as its saved ids (and so its permitted capabilities), and
     * takes root back after.
     */
    public static void prlimitAs(int uid, int gid, int pid, int resource, long soft, long hard) {
        call("setresgid", "gid " + gid, (st, a) -> syscall(st, SYS_SETRESGID, gid, gid, 0, 0, 0, 0));
        try {
            call("setresuid", "uid " + uid, (st, a) -> syscall(st, SYS_SETRESUID, uid, uid, 0, 0, 0, 0));
            try {
                prlimit(pid, resource, soft, hard);
            } finally {
                call("setresuid", "uid 0", (st, a) -> syscall(st, SYS_SETRESUID, 0, 0, 0, 0, 0, 0));
            }
        } finally {
            call("setresgid", "gid 0", (st, a) -> syscall(st, SYS_SETRESGID, 0, 0, 0, 0, 0, 0));
        }
    }

    public static int gettid() {
        return (int) call("gettid", null, (st, a) -> syscall(st, SYS_GETTID, 0, 0, 0, 0, 0, 0));
    }

    public static int getpid() {
        return (int) call("getpid", null, (st, a) -> syscall(st, SYS_GETPID, 0, 0, 0, 0, 0, 0));
    }

    /**
     * _exit(2): ends this process now, without the JVM's shutdown. For a JVM that leaves a thread blocked
     * in native code on purpose (berth-oci create's spawner, held in posix_spawn until the container
     * starts): the JVM's own exit waits ~300 ms for such threads before giving up on them.
     */
    public static void exitNow(int status) {
        try {
            int ignored = (int) EXIT_NOW.handle().invokeExact(status);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Links exitNow's binding now, for a process that may have to call it once no other thread of its JVM is left. */
    static void prepareExitNow() {
        EXIT_NOW.handle();
    }

    /** setsid(2): a new session, away from the terminal that started this process. */
    public static void setsid() {
        call("setsid", null, (st, a) -> syscall(st, SYS_SETSID, 0, 0, 0, 0, 0, 0));
    }

    public static int geteuid() {
        return (int) call("geteuid", null, (st, a) -> syscall(st, SYS_GETEUID, 0, 0, 0, 0, 0, 0));
    }

    static long syscall(MemorySegment state, long number, long a1, long a2, long a3, long a4, long a5, long a6)
            throws Throwable {
        return (long) SYSCALL6.handle().invokeExact(state, number, a1, a2, a3, a4, a5, a6);
    }

    // ---- ioctl ---------------------------------------------------------------------------------------

    public static void ioctl(int fd, long request, MemorySegment arg) {
        call("ioctl", "0x" + Long.toHexString(request), (st, a) -> syscall(st, SYS_IOCTL, fd, request, arg.address(), 0, 0, 0));
    }

}
