package dev.berth.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link Syscalls} as the kernel answers them, through {@link Libc}'s FFM bindings. */
final class LinuxSyscalls implements Syscalls {
    @Override public void unshare(int flags) { Libc.unshare(flags); }

    @Override public void setns(int fd, int nstype) { Libc.setns(fd, nstype); }

    @Override public int open(String path, int flags, int mode) { return Libc.open(path, flags, mode); }

    @Override public void close(int fd) { Libc.close(fd); }

    @Override public void closeQuietly(int fd) { Libc.closeQuietly(fd); }

    @Override
    public void mount(String source, String target, String fstype, long flags, String data) {
        Libc.mount(source, target, fstype, flags, data);
    }

    @Override public void umount2(String target, int flags) { Libc.umount2(target, flags); }

    @Override public void pivotRoot(String newRoot, String putOld) { Libc.pivotRoot(newRoot, putOld); }

    @Override public void chdir(String path) { Libc.chdir(path); }

    @Override public void sethostname(String name) { Libc.sethostname(name); }

    @Override public void mknod(String path, int mode, int major, int minor) { Libc.mknod(path, mode, major, minor); }

    @Override public void mkdir(String path, int mode) { Libc.mkdir(path, mode); }

    @Override public void chmod(String path, int mode) { Libc.chmod(path, mode); }

    @Override public void chown(String path, int uid, int gid) { Libc.chown(path, uid, gid); }

    @Override public void symlink(String target, String linkPath) { Libc.symlink(target, linkPath); }

    @Override public void unlink(String path) { Libc.unlink(path); }

    @Override public int fsopen(String fstype) { return Libc.fsopen(fstype); }

    @Override
    public void fsconfig(int fsfd, int cmd, String key, String value, int aux) {
        Libc.fsconfig(fsfd, cmd, key, value, aux);
    }

    @Override public int fsmount(int fsfd, int attrs) { return Libc.fsmount(fsfd, attrs); }

    @Override public void moveMount(int mountFd, String target) { Libc.moveMount(mountFd, target); }

    @Override public int gettid() { return Libc.gettid(); }

    @Override public void prctl(int option, long arg2, long arg3) { Libc.prctl(option, arg2, arg3); }

    @Override public void seccompFilter(byte[] program) { Libc.seccompFilter(program); }

    @Override public void prlimit(int pid, int resource, long soft, long hard) { Libc.prlimit(pid, resource, soft, hard); }

    @Override
    public void prlimitAs(int uid, int gid, int pid, int resource, long soft, long hard) {
        Libc.prlimitAs(uid, gid, pid, resource, soft, hard);
    }

    @Override
    public void capset(long effective, long permitted, long inheritable) {
        Libc.capset(effective, permitted, inheritable);
    }

    @Override
    public void setThreadIdentity(int uid, int gid, int[] groups) {
        Libc.setThreadIdentity(uid, gid, groups);
    }

    @Override public int umask(int mask) { return Libc.umask(mask); }

    @Override public boolean isExecutable(String path) { return Libc.isExecutable(path); }

    @Override public boolean exists(String path) { return Files.exists(Path.of(path)); }

    @Override public boolean isDirectory(String path) { return Files.isDirectory(Path.of(path)); }

    @Override
    public String read(String path) {
        try {
            return Procfs.read(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    @Override
    public void write(String path, String value) {
        try {
            Files.writeString(Path.of(path), value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    @Override public void loopbackUp() { Loopback.up(); }

    @Override
    public int spawn(SpawnPlan plan) {
        try (Spawn spawn = new Spawn()) {
            if (plan.newSession()) {
                spawn.newSession();
            }
            for (SpawnPlan.FileAction action : plan.actions()) {
                switch (action) {
                    case SpawnPlan.FileAction.Open o -> spawn.open(o.fd(), o.path(), o.flags(), o.mode());
                    case SpawnPlan.FileAction.Dup2 d -> spawn.dup2(d.from(), d.to());
                    case SpawnPlan.FileAction.Close c -> spawn.close(c.fd());
                    case SpawnPlan.FileAction.CloseFrom c -> spawn.closeFrom(c.lowest());
                }
            }
            return spawn.spawn(plan.path(), plan.argv(), plan.env());
        }
    }

    @Override public int pidfdOpen(int pid) { return Libc.pidfdOpen(pid); }

    @Override public void kill(int pid, int signal) { Libc.kill(pid, signal); }

    @Override
    public int openInRoot(int rootFd, String path, int flags) {
        return Libc.openat2(rootFd, path, flags | Libc.O_CLOEXEC, Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS);
    }

    @Override public int openAt(int dirfd, String name, int flags, int mode) { return Libc.openat(dirfd, name, flags, mode); }

    @Override public void mkdirAt(int dirfd, String name, int mode) { Libc.mkdirat(dirfd, name, mode); }

    @Override
    public int openTree(String path, boolean recursive) {
        return Libc.openTree(path, Libc.OPEN_TREE_CLONE | (recursive ? Libc.AT_RECURSIVE : 0));
    }

    @Override public void moveMount(int mountFd, int targetFd) { Libc.moveMount(mountFd, targetFd); }

    @Override
    public void mountSetattr(int mountFd, boolean recursive, long attributes, long propagation) {
        Libc.mountSetattr(mountFd, recursive ? Libc.AT_RECURSIVE : 0, attributes, 0, propagation);
    }
}
