package dev.berth.linux;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * System calls that only get written down, in the order the runtime makes them (from any thread), with
 * answers a kernel would give: descriptors, a child pid, /proc contents. Its posix_spawn behaves as the
 * real one with a start FIFO: it returns only once someone opens that FIFO for writing (the release), so
 * the start handshake between the two threads runs as it does on Linux. A call can be made to fail.
 */
public class RecordingSyscalls implements Syscalls {
    public static final int CHILD_PID = 4242;

    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextFd = new AtomicInteger(10);
    private final Map<Integer, String> openFiles = Collections.synchronizedMap(new HashMap<>());
    private final Set<String> directories = Collections.synchronizedSet(new HashSet<>(Set.of("/")));
    private final Set<String> executables = Collections.synchronizedSet(new HashSet<>(Set.of("/bin/sh", "/bin/true")));
    private final Map<String, Integer> failures = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> written = Collections.synchronizedMap(new LinkedHashMap<>());
    private final CountDownLatch released = new CountDownLatch(1);
    private final ThreadLocal<Integer> tid = ThreadLocal.withInitial(() -> 1000 + (int) Thread.currentThread().threadId());

    /** Every call so far, each as "name arguments". */
    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The position of the first call that starts with prefix; fails the test when there is none. */
    public int indexOf(String prefix) {
        return indexOf(call -> call.startsWith(prefix), "starting with '" + prefix + "'");
    }

    /** The first call that matches the regular expression. */
    public int indexOfMatch(String regex) {
        return indexOf(call -> call.matches(regex), "matching '" + regex + "'");
    }

    private int indexOf(java.util.function.Predicate<String> wanted, String what) {
        List<String> all = calls();
        for (int i = 0; i < all.size(); i++) {
            if (wanted.test(all.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no call " + what + " in " + all);
    }

    public boolean made(String prefix) {
        return calls().stream().anyMatch(c -> c.startsWith(prefix));
    }

    /** The next call starting with prefix fails with errno. */
    public RecordingSyscalls failing(String prefix, int errno) {
        failures.put(prefix, errno);
        return this;
    }

    public RecordingSyscalls executable(String path) {
        executables.add(path);
        return this;
    }

    /** What was written to files (path → value). */
    public Map<String, String> written() {
        return Map.copyOf(written);
    }

    /** Descriptors opened and not closed, by path. */
    public List<String> openPaths() {
        synchronized (openFiles) {
            return List.copyOf(openFiles.values());
        }
    }

    public void log(String call) {
        String failed = null;
        synchronized (failures) {
            for (String prefix : failures.keySet()) {
                if (call.startsWith(prefix)) {
                    failed = prefix;
                    break;
                }
            }
        }
        calls.add(call);
        if (failed != null) {
            int errno = failures.remove(failed);
            throw new SyscallException(call.split(" ")[0], call.substring(call.indexOf(' ') + 1), errno);
        }
    }

    private int fd(String path) {
        int fd = nextFd.getAndIncrement();
        openFiles.put(fd, path);
        return fd;
    }

    static String flags(int flags) {
        Map<Integer, String> names = new LinkedHashMap<>();
        names.put(0x200, "CLONE_FS");
        names.put(0x00020000, "CLONE_NEWNS");
        names.put(0x02000000, "CLONE_NEWCGROUP");
        names.put(0x04000000, "CLONE_NEWUTS");
        names.put(0x08000000, "CLONE_NEWIPC");
        names.put(0x20000000, "CLONE_NEWPID");
        names.put(0x40000000, "CLONE_NEWNET");
        List<String> set = new ArrayList<>();
        names.forEach((bit, name) -> {
            if ((flags & bit) != 0) {
                set.add(name);
            }
        });
        return String.join("|", set);
    }

    @Override public void unshare(int flags) { log("unshare " + flags(flags)); }

    @Override public void setns(int fd, int nstype) { log("setns " + openFiles.get(fd) + " " + flags(nstype)); }

    @Override
    public int open(String path, int flags, int mode) {
        log("open " + path + ((flags & Libc.O_WRONLY) != 0 ? " write" : ""));
        if (path.endsWith("/.berth-start") && (flags & Libc.O_WRONLY) != 0) {
            released.countDown();
        }
        return fd(path);
    }

    @Override public void close(int fd) { openFiles.remove(fd); }

    @Override public void closeQuietly(int fd) { openFiles.remove(fd); }

    @Override
    public void mount(String source, String target, String fstype, long flags, String data) {
        log("mount " + source + " " + target + (fstype != null ? " " + fstype : "") + " 0x" + Long.toHexString(flags));
    }

    @Override public void umount2(String target, int flags) { log("umount2 " + target); }

    @Override public void pivotRoot(String newRoot, String putOld) { log("pivot_root " + newRoot + " " + putOld); }

    @Override public void chdir(String path) { log("chdir " + path); }

    @Override public void sethostname(String name) { log("sethostname " + name); }

    @Override public void mknod(String path, int mode, int major, int minor) { log("mknod " + path + " " + major + ":" + minor); }

    @Override
    public void mkdir(String path, int mode) {
        log("mkdir " + path);
        directories.add(path);
    }

    @Override public void chmod(String path, int mode) { log("chmod " + path + " " + Integer.toOctalString(mode)); }

    @Override public void chown(String path, int uid, int gid) { log("chown " + path + " " + uid + ":" + gid); }

    @Override public void symlink(String target, String linkPath) { log("symlink " + linkPath + " -> " + target); }

    @Override public void unlink(String path) { log("unlink " + path); }

    @Override
    public int fsopen(String fstype) {
        log("fsopen " + fstype);
        return fd("fs:" + fstype);
    }

    @Override
    public void fsconfig(int fsfd, int cmd, String key, String value, int aux) {
        log("fsconfig " + cmd + (key != null ? " " + key + "=" + openFiles.get(aux) : ""));
    }

    @Override
    public int fsmount(int fsfd, int attrs) {
        log("fsmount");
        return fd("mount");
    }

    @Override public void moveMount(int mountFd, String target) { log("move_mount " + target); }

    @Override
    public int openInRoot(int rootFd, String path, int flags) {
        log("openat2 " + openFiles.get(rootFd) + " " + path);
        return fd(openFiles.get(rootFd) + path);
    }

    @Override
    public int openAt(int dirfd, String name, int flags, int mode) {
        log("openat " + openFiles.get(dirfd) + " " + name);
        return fd(openFiles.get(dirfd) + "/" + name);
    }

    @Override
    public void mkdirAt(int dirfd, String name, int mode) {
        log("mkdirat " + openFiles.get(dirfd) + " " + name);
    }

    @Override
    public int openTree(String path, boolean recursive) {
        log("open_tree " + path + (recursive ? " recursive" : ""));
        return fd("tree:" + path);
    }

    @Override public void moveMount(int mountFd, int targetFd) { log("move_mount " + openFiles.get(mountFd) + " " + openFiles.get(targetFd)); }

    @Override
    public void mountSetattr(int mountFd, boolean recursive, long attributes, long propagation) {
        log("mount_setattr " + openFiles.get(mountFd) + " 0x" + Long.toHexString(attributes) + " 0x" + Long.toHexString(propagation));
    }

    @Override public int gettid() { return tid.get(); }

    @Override
    public void prctl(int option, long arg2, long arg3) {
        log("prctl " + switch (option) {
            case Libc.PR_CAPBSET_DROP -> "PR_CAPBSET_DROP " + arg2;
            case Libc.PR_SET_NO_NEW_PRIVS -> "PR_SET_NO_NEW_PRIVS";
            default -> option + " " + arg2;
        });
    }

    @Override
    public void prlimit(int pid, int resource, long soft, long hard) {
        log("prlimit " + pid + " " + resource + " " + soft + " " + hard);
    }

    @Override
    public void prlimitAs(int uid, int gid, int pid, int resource, long soft, long hard) {
        log("prlimit as " + uid + ":" + gid + " " + pid + " " + resource + " " + soft + " " + hard);
    }

    @Override
    public void seccompFilter(byte[] program) {
        log("seccomp " + program.length / 8 + " instructions");
    }

    @Override
    public void capset(long effective, long permitted, long inheritable) {
        log("capset 0x" + Long.toHexString(effective) + " 0x" + Long.toHexString(permitted));
    }

    @Override
    public void setThreadIdentity(int uid, int gid, int[] groups) {
        log("setresuid " + uid + " " + gid + " " + java.util.Arrays.toString(groups));
    }

    @Override
    public int umask(int mask) {
        log("umask " + Integer.toOctalString(mask));
        return 022;
    }

    @Override public boolean isExecutable(String path) { return executables.contains(path); }

    @Override public boolean exists(String path) { return executables.contains(path) || directories.contains(path); }

    @Override public boolean isDirectory(String path) { return directories.contains(path); }

    @Override
    public String read(String path) {
        if (path.equals("/proc/sys/kernel/cap_last_cap")) {
            return "40\n";
        }
        if (path.endsWith("/children")) {
            return CHILD_PID + " ";
        }
        throw new java.io.UncheckedIOException(new java.io.FileNotFoundException(path));
    }

    @Override
    public void write(String path, String value) {
        log("write " + path + " " + value);
        written.put(path, value);
    }

    @Override public void loopbackUp() { log("lo up"); }

    @Override
    public int spawn(SpawnPlan plan) {
        log("posix_spawn " + plan.path() + " " + plan.argv());
        boolean waitsForRelease = plan.actions().stream()
                .anyMatch(a -> a instanceof SpawnPlan.FileAction.Open o && o.path().endsWith("/.berth-start"));
        if (waitsForRelease) {
            try {
                if (!released.await(10, TimeUnit.SECONDS)) {
                    throw new SyscallException("posix_spawn", "nobody released the child", Errno.EINTR);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            log("posix_spawn returned");
        }
        return CHILD_PID;
    }

    @Override
    public int pidfdOpen(int pid) {
        log("pidfd_open " + pid);
        return fd("pidfd:" + pid);
    }

    @Override public void kill(int pid, int signal) { log("kill " + pid + " " + signal); }
}
