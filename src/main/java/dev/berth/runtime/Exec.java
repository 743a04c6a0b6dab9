package dev.berth.runtime;

import dev.berth.linux.Libc;
import dev.berth.linux.Syscalls;
import dev.berth.linux.UserNamespace;
import dev.berth.spec.NamespaceType;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.SeccompSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code berth exec}: a new process inside a running container. A throw-away thread joins the
 * container's cgroup, IPC, UTS, network, PID and mount namespaces through /proc/PID/ns (the mount one
 * last: it moves the thread's root into the container), takes the container's identity and spawns the
 * command, which is then a member of the container like any of its processes.
 */
public final class Exec {
    private static final int CLONE_FS = 0x200;
    /** Joined in this order; "mnt" last since it changes the thread's root. */
    private static final List<NamespaceType> NAMESPACES = List.of(NamespaceType.CGROUP, NamespaceType.IPC,
            NamespaceType.UTS, NamespaceType.NETWORK, NamespaceType.PID, NamespaceType.MOUNT);

    private final Syscalls sys;
    private final ProcessSetup setup;

    public Exec(Syscalls sys) {
        this.sys = sys;
        this.setup = new ProcessSetup(sys);
    }

    /** @param seccomp the container's seccomp filter (linux.seccomp of its spec), null for none */
    public static ContainerProcess exec(int targetPid, ProcessSpec process, SeccompSpec seccomp, Confinement confinement,
                                        ContainerStarter.Stdio stdio) {
        return new Exec(Syscalls.LINUX).run(targetPid, process, seccomp, confinement, stdio);
    }

    public ContainerProcess run(int targetPid, ProcessSpec process, SeccompSpec seccomp, Confinement confinement,
                                ContainerStarter.Stdio stdio) {
        int lastCap = setup.lastCapability();
        byte[] seccompFilter = SeccompFilters.program(seccomp);
        AtomicReference<Object> result = new AtomicReference<>(); // the pid, or the failure
        AtomicReference<Terminal> terminal = new AtomicReference<>();
        ClassPathJar.openNow();
        boolean userNamespace = inOtherUserNamespace(targetPid);
        Thread spawner = Thread.ofPlatform().name("berth-exec")
                .stackSize(userNamespace ? 16L << 20 : 0) // a user namespace's process runs on its lower part
                .unstarted(() -> {
                    int[] fds = new int[NAMESPACES.size()];
                    Arrays.fill(fds, -1);
                    try {
                        for (int i = 0; i < fds.length; i++) { // the ones the container shares with us stay
                            String name = NAMESPACES.get(i).procName();
                            if (!sameNamespace(targetPid, name)) {
                                fds[i] = sys.open("/proc/" + targetPid + "/ns/" + name, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                            }
                        }
                        confinement.enterCallingThread();
                        if (userNamespace) { // joined by a process of its own (setns refuses threads), which spawns
                            UserNamespace.join(targetPid, () -> joinAndSpawn(fds, process, seccompFilter, lastCap,
                                    stdio, result, terminal));
                        } else {
                            joinAndSpawn(fds, process, seccompFilter, lastCap, stdio, result, terminal);
                        }
                    } catch (Throwable t) {
                        result.set(t);
                    } finally {
                        for (int fd : fds) {
                            sys.closeQuietly(fd);
                        }
                    }
                });
        spawner.start();
        ProcessSetup.joinQuietly(spawner);
        if (result.get() instanceof Throwable failure) {
            if (terminal.get() != null) {
                terminal.get().close();
            }
            throw ProcessSetup.startFailure(process, failure);
        }
        int pid = (Integer) result.get();
        confinement.addProcess(pid);
        setup.applyOomScoreAdj(pid, process.oomScoreAdj());
        return new ContainerProcess(pid, sys.pidfdOpen(pid), terminal.get());
    }

    private static boolean inOtherUserNamespace(int targetPid) {
        return differs(targetPid, "user", false); // unreadable: gone, and the joins say so
    }

    /**
     * Whether process targetPid is in this process's namespace of that name. Joining one's own is a
     * no-op, and from a container's user namespace, a namespace of the host's is not allowed.
     */
    private static boolean sameNamespace(int targetPid, String name) {
        return !differs(targetPid, name, true); // unreadable: opening it says why
    }

    private static boolean differs(int targetPid, String name, boolean whenUnreadable) {
        try {
            return !Files.readSymbolicLink(Path.of("/proc/" + targetPid + "/ns/" + name))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/" + name)));
        } catch (IOException e) {
            return whenUnreadable;
        }
    }

    /** The container's namespaces (open in fds, in the order of NAMESPACES), its identity, the command. */
    private void joinAndSpawn(int[] fds, ProcessSpec process, byte[] seccompFilter, int lastCap,
                              ContainerStarter.Stdio stdio, AtomicReference<Object> result,
                              AtomicReference<Terminal> terminal) {
        try {
            sys.unshare(CLONE_FS);
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] >= 0) {
                    sys.setns(fds[i], NAMESPACES.get(i).cloneFlag());
                }
            }
            sys.chdir(process.cwd());
            if (process.terminal()) {
                terminal.set(Terminal.open("/dev/pts/ptmx"));
                terminal.get().copyWindowSize(Terminal.userTerminal(stdio.userIn(), stdio.userOut()));
                sys.chown(terminal.get().slavePath(), process.user().uid(), process.user().gid());
            }
            String executable = setup.resolveExecutable(process);
            setup.takeIdentity(process, seccompFilter, lastCap);
            result.set(setup.spawn(process, executable, stdio, terminal.get(), null));
        } catch (Throwable t) {
            result.set(t);
        }
    }
}
