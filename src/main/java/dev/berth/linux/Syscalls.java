package dev.berth.linux;

import java.util.List;

/**
 * The system calls of a container's start sequence, as an interface (youki's Syscall trait): namespaces,
 * mounts, pivot_root, capabilities, identity, spawn, and the files under /proc it reads and writes.
 * {@link #LINUX} is the kernel through {@link Libc}; tests use a recording implementation, so the order
 * of the sequence is checked without root. Calls act on the calling thread where the kernel allows it
 * (the runtime calls them from its throw-away spawner and helper threads).
 */
public interface Syscalls {
    Syscalls LINUX = new LinuxSyscalls();

    void unshare(int flags);

    void setns(int fd, int nstype);

    int open(String path, int flags, int mode);

    void close(int fd);

    /** Closes fd, ignoring errors (and fd -1). */
    void closeQuietly(int fd);

    void mount(String source, String target, String fstype, long flags, String data);

    void umount2(String target, int flags);

    void pivotRoot(String newRoot, String putOld);

    void chdir(String path);

    void sethostname(String name);

    void mknod(String path, int mode, int major, int minor);

    void mkdir(String path, int mode);

    void chmod(String path, int mode);

    void chown(String path, int uid, int gid);

    void symlink(String target, String linkPath);

    void unlink(String path);

    /** The new mount API: a procfs context, its pidns option, the mount, its move into place. */
    int fsopen(String fstype);

    void fsconfig(int fsfd, int cmd, String key, String value, int aux);

    int fsmount(int fsfd, int attrs);

    void moveMount(int mountFd, String target);

    /** openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: path resolved as if rootFd were "/". */
    int openInRoot(int rootFd, String path, int flags);

    /** openat(2) of one name in the directory dirfd. */
    int openAt(int dirfd, String name, int flags, int mode);

    void mkdirAt(int dirfd, String name, int mode);

    /** open_tree(OPEN_TREE_CLONE): a detached copy of the mount at path (and below it when recursive). */
    int openTree(String path, boolean recursive);

    /** move_mount(2) of a detached mount onto what targetFd refers to. */
    void moveMount(int mountFd, int targetFd);

    /** mount_setattr(2) on the mount mountFd (and below it when recursive): attributes, propagation (0: keep). */
    void mountSetattr(int mountFd, boolean recursive, long attributes, long propagation);

    int gettid();

    void prctl(int option, long arg2, long arg3);

    void capset(long effective, long permitted, long inheritable);

    /** Sets one resource limit of process pid (prlimit). */
    void prlimit(int pid, int resource, long soft, long hard);

    /** prlimit of a process that runs as uid:gid, with those ids on the calling thread for the call. */
    void prlimitAs(int uid, int gid, int pid, int resource, long soft, long hard);

    /** Installs a seccomp filter (a compiled BPF program) on the calling thread. */
    void seccompFilter(byte[] program);

    /** setgroups, setresgid, setresuid for the calling thread only. */
    void setThreadIdentity(int uid, int gid, int[] groups);

    int umask(int mask);

    /** access(X_OK) in the calling thread's root. */
    boolean isExecutable(String path);

    /** Whether path exists (following symlinks) in the calling thread's root. */
    boolean exists(String path);

    boolean isDirectory(String path);

    /** A file under /proc or /sys, whole. */
    String read(String path);

    /** Writes value to a file under /proc or /sys (oom_score_adj, cgroup files). */
    void write(String path, String value);

    /** Brings lo up in the calling thread's network namespace. */
    void loopbackUp();

    /** posix_spawn with the plan's file actions; returns the child's pid. */
    int spawn(SpawnPlan plan);

    int pidfdOpen(int pid);

    void kill(int pid, int signal);

    /**
     * What posix_spawn does for the child, in order, before it executes path: file actions on its
     * descriptors, and a new session when asked.
     */
    record SpawnPlan(String path, List<String> argv, List<String> env, boolean newSession, List<FileAction> actions) {
        public SpawnPlan {
            argv = List.copyOf(argv);
            env = List.copyOf(env);
            actions = List.copyOf(actions);
        }

        /** One posix_spawn file action. */
        public sealed interface FileAction {
            record Open(int fd, String path, int flags, int mode) implements FileAction {}

            record Dup2(int from, int to) implements FileAction {}

            record Close(int fd) implements FileAction {}

            /** Closes every descriptor from lowest up. */
            record CloseFrom(int lowest) implements FileAction {}
        }
    }
}
