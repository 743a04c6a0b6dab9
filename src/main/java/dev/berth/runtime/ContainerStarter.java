package dev.berth.runtime;

import dev.berth.BerthException;
import dev.berth.Trace;
import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.Loopback;
import dev.berth.linux.Procfs;
import dev.berth.linux.Spawn;
import dev.berth.linux.SyscallException;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.LinuxSpec;
import dev.berth.spec.NamespaceType;
import dev.berth.spec.ProcessSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a container's first process. Namespaces belong to threads, so the work happens on two
 * throw-away platform threads (DESIGN.md §3):
 *
 * <ol>
 *   <li><b>spawner</b>: unshares its file-system context and the mount, UTS, IPC and network namespaces,
 *       builds the root ({@link RootfsSetup}) and pivots into it, unshares the PID namespace, takes the
 *       container's identity (capabilities, uid/gid, no_new_privs), then {@code posix_spawn}s the command.
 *       The child inherits all of that and becomes PID 1; it blocks on a FIFO before {@code execve}.</li>
 *   <li><b>helper</b>: once the child exists, mounts the container's /proc ({@link ProcMount}) and opens
 *       the FIFO, which lets the child exec.</li>
 * </ol>
 *
 * No second JVM and no helper binary: the user's command is exec'd directly as PID 1.
 */
public final class ContainerStarter {
    private static final int CLONE_FS = 0x200;
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private ContainerStarter() {}

    /** How the first process's standard input is wired when there is no terminal. */
    public enum Stdin { NULL, INHERIT }

    /**
     * The first process's standard streams when there is no terminal: stdin /dev/null or inherited,
     * each inherited one either berth's own (fd -1) or an open file of the caller's (a detached
     * container's log, or the streams of a client the supervisor works for).
     */
    public record Stdio(Stdin stdin, int inputFd, int outputFd, int errorFd) {
        /** berth's own streams (stdin only when asked). */
        public static Stdio of(Stdin stdin) {
            return new Stdio(stdin, -1, -1, -1);
        }

        /** No input; output and errors into one file (a detached container's log). */
        public static Stdio log(int fd) {
            return new Stdio(Stdin.NULL, -1, fd, fd);
        }

        /** The user's input: what a terminal's master reads from (berth's own stdin when -1). */
        public int userIn() {
            return inputFd >= 0 ? inputFd : 0;
        }

        /** The user's output: where a terminal's master writes to (berth's own stdout when -1). */
        public int userOut() {
            return outputFd >= 0 ? outputFd : 1;
        }
    }

    public static ContainerProcess start(ContainerSpec spec, Overlay overlay, Stdio stdio, Confinement confinement) {
        int lastCap = lastCapability();
        var spawned = new AtomicReference<Object>(); // the pid (Integer) or the failure (Throwable)
        var terminal = new AtomicReference<Terminal>();
        var prepared = new java.util.concurrent.CountDownLatch(1);
        int[] spawnerTid = {-1};
        int[] mountNs = {-1};

        Thread spawner = Thread.ofPlatform().name("berth-spawner").unstarted(() -> {
            try {
                int tid = Libc.gettid();
                boolean joined = confinement.enterCallingThread();
                enterNamespaces(spec.linux());
                mountNs[0] = Libc.open("/proc/thread-self/ns/mnt", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                spawnerTid[0] = tid;
                Trace.mark("namespaces entered");
                terminal.set(new RootfsSetup(spec, overlay).build());
                if (terminal.get() != null) {
                    terminal.get().copyWindowSize(Terminal.userTerminal(stdio.userIn(), stdio.userOut()));
                }
                Trace.mark("rootfs built");
                if (joined && spec.hasNamespace(NamespaceType.CGROUP)) {
                    Libc.unshare(NamespaceType.CGROUP.cloneFlag());
                }
                Libc.unshare(NamespaceType.PID.cloneFlag());
                String executable = resolveExecutable(spec.process());
                takeIdentity(spec.process(), lastCap);
                prepared.countDown();
                Trace.mark("identity taken");
                spawned.set(spawn(spec.process(), executable, stdio, terminal.get()));
            } catch (Throwable t) {
                spawned.set(t);
            } finally {
                prepared.countDown();
            }
        });
        var helperFailure = new AtomicReference<Throwable>();
        Thread helper = Thread.ofPlatform().name("berth-proc").unstarted(() -> {
            try {
                long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
                prepared.await(START_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
                if (spawned.get() == null) {
                    ProcMount.mountAndRelease(spec, spawnerTid[0], mountNs[0], () -> spawned.get() != null, deadline,
                            confinement);
                    Trace.mark("proc mounted, child released");
                }
            } catch (Throwable t) {
                helperFailure.set(t);
                killChildOf(spawnerTid[0]);
            }
        });
        spawner.start();
        helper.start();
        joinQuietly(spawner);
        joinQuietly(helper);
        Libc.closeQuietly(mountNs[0]);

        Object result = spawned.get();
        if (result instanceof Throwable failure) {
            closeQuietly(terminal.get());
            throw startFailure(spec, failure);
        }
        int pid = (Integer) result;
        int pidfd = Libc.pidfdOpen(pid);
        if (helperFailure.get() != null) {
            Libc.waitPidfd(pidfd, 0);
            Libc.closeQuietly(pidfd);
            closeQuietly(terminal.get());
            throw startFailure(spec, helperFailure.get());
        }
        return new ContainerProcess(pid, pidfd, terminal.get());
    }

    /**
     * Unshares the namespaces to create and joins the ones with a path; not the PID namespace (that comes
     * last) nor the cgroup one (created once the thread is in the container's group).
     */
    private static void enterNamespaces(LinuxSpec linux) {
        int unshare = CLONE_FS;
        for (LinuxSpec.Namespace ns : linux.namespaces()) {
            if (ns.kind() != NamespaceType.PID && ns.kind() != NamespaceType.CGROUP && ns.path() == null) {
                unshare |= ns.kind().cloneFlag();
            }
        }
        Libc.unshare(unshare);
        for (LinuxSpec.Namespace ns : linux.namespaces()) {
            if (ns.path() != null) {
                int fd = Libc.open(ns.path(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                try {
                    Libc.setns(fd, ns.kind().cloneFlag());
                } finally {
                    Libc.closeQuietly(fd);
                }
            }
        }
        if ((unshare & NamespaceType.NETWORK.cloneFlag()) != 0) {
            Loopback.up();
        }
    }

    /** Looks the command up in the container's PATH, from inside the container's root. */
    static String resolveExecutable(ProcessSpec process) {
        String command = process.args().getFirst();
        if (command.contains("/")) {
            if (!Files.exists(Path.of(command))) {
                throw new BerthException(BerthException.NOT_FOUND,
                        "exec: \"" + command + "\": no such file or directory", null);
            }
            return command;
        }
        String path = process.envValue("PATH");
        for (String dir : (path == null ? "" : path).split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            String candidate = dir + "/" + command;
            if (Libc.isExecutable(candidate) && !Files.isDirectory(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new BerthException(BerthException.NOT_FOUND,
                "exec: \"" + command + "\": executable file not found in $PATH", null);
    }

    /** The container's privileges, set on the spawner thread so the child inherits exactly them. */
    static void takeIdentity(ProcessSpec process, int lastCap) {
        long keep = Capabilities.mask(process.capabilities());
        for (int cap = 0; cap <= lastCap; cap++) {
            if ((keep & (1L << cap)) == 0) {
                Libc.prctl(Libc.PR_CAPBSET_DROP, cap, 0);
            }
        }
        ProcessSpec.User user = process.user();
        Libc.setThreadIdentity(user.uid(), user.gid(),
                user.additionalGids().stream().mapToInt(Integer::intValue).toArray());
        if (user.uid() == 0) {
            Libc.capset(keep, keep, 0);
        } else {
            Libc.capset(0, 0, 0);
        }
        if (process.noNewPrivileges()) {
            Libc.prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0);
        }
        Libc.umask(022);
    }

    static int spawn(ProcessSpec process, String executable, Stdio stdio, Terminal terminal) {
        return spawn(process, executable, stdio, terminal, true);
    }

    /** posix_spawn of the command; waitForRelease: block on the start FIFO first (not for exec). */
    static int spawn(ProcessSpec process, String executable, Stdio stdio, Terminal terminal, boolean waitForRelease) {
        try (Spawn spawn = new Spawn()) {
            spawn.newSession();
            if (terminal != null) {
                spawn.open(0, terminal.slavePath(), Libc.O_RDWR, 0).dup2(0, 1).dup2(0, 2);
            } else if (stdio.stdin() == Stdin.NULL) {
                spawn.open(0, "/dev/null", Libc.O_RDONLY, 0);
            } else if (stdio.inputFd() >= 0) {
                spawn.dup2(stdio.inputFd(), 0);
            }
            if (terminal == null && stdio.outputFd() >= 0) {
                spawn.dup2(stdio.outputFd(), 1);
            }
            if (terminal == null && stdio.errorFd() >= 0) {
                spawn.dup2(stdio.errorFd(), 2);
            }
            if (waitForRelease) {
                spawn.open(3, RootfsSetup.START_FIFO, Libc.O_RDONLY, 0).close(3);
            }
            spawn.closeFrom(3);
            return spawn.spawn(executable, process.args(), process.env());
        }
    }

    static BerthException startFailure(ContainerSpec spec, Throwable failure) {
        return startFailure(spec.process(), failure);
    }

    static BerthException startFailure(ProcessSpec process, Throwable failure) {
        if (failure instanceof SyscallException se && se.call().equals("posix_spawn")) {
            String command = process.args().getFirst();
            return switch (se.errno()) {
                case Errno.ENOENT -> new BerthException(BerthException.NOT_FOUND,
                        "exec: \"" + command + "\": no such file or directory", se);
                case Errno.EACCES -> new BerthException(BerthException.NOT_EXECUTABLE,
                        "exec: \"" + command + "\": permission denied", se);
                case Errno.ENOEXEC -> new BerthException(BerthException.NOT_EXECUTABLE,
                        "exec: \"" + command + "\": exec format error", se);
                default -> new BerthException(BerthException.NOT_EXECUTABLE,
                        "exec: \"" + command + "\": " + Errno.name(se.errno()), se);
            };
        }
        if (failure instanceof SyscallException se) {
            return new BerthException("cannot start container: " + se.getMessage(), se);
        }
        if (failure instanceof BerthException be) {
            return be;
        }
        return new BerthException("cannot start container: " + failure.getMessage(), failure);
    }

    /** Kills whatever the spawner thread started, so a blocked posix_spawn returns. */
    private static void killChildOf(int tid) {
        if (tid < 0) {
            return;
        }
        try {
            String children = Procfs.read("/proc/self/task/" + tid + "/children").trim();
            for (String pid : children.split("\\s+")) {
                if (!pid.isEmpty()) {
                    Libc.kill(Integer.parseInt(pid), 9);
                }
            }
        } catch (Exception ignored) {
            // the spawner already ended: nothing to kill
        }
    }

    static int lastCapability() {
        try {
            return Integer.parseInt(Procfs.read("/proc/sys/kernel/cap_last_cap").trim());
        } catch (Exception e) {
            return 40;
        }
    }

    static void joinQuietly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Terminal terminal) {
        if (terminal != null) {
            terminal.close();
        }
    }
}
