package dev.berth.runtime;

import dev.berth.linux.Libc;
import dev.berth.linux.Syscalls;
import dev.berth.spec.NamespaceType;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.SeccompSpec;

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
        Thread spawner = Thread.ofPlatform().name("berth-exec").unstarted(() -> {
            try {
                int[] fds = new int[NAMESPACES.size()];
                for (int i = 0; i < fds.length; i++) {
                    fds[i] = sys.open("/proc/" + targetPid + "/ns/" + NAMESPACES.get(i).procName(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                }
                confinement.enterCallingThread();
                sys.unshare(CLONE_FS);
                try {
                    for (int i = 0; i < fds.length; i++) {
                        sys.setns(fds[i], NAMESPACES.get(i).cloneFlag());
                    }
                } finally {
                    for (int fd : fds) {
                        sys.closeQuietly(fd);
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
}
