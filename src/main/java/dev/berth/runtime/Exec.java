package dev.berth.runtime;

import dev.berth.linux.Libc;
import dev.berth.spec.ProcessSpec;

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
    private static final List<String[]> NAMESPACES = List.of(new String[] {"cgroup", "33554432"},
            new String[] {"ipc", "134217728"}, new String[] {"uts", "67108864"}, new String[] {"net", "1073741824"},
            new String[] {"pid", "536870912"}, new String[] {"mnt", "131072"});

    private Exec() {}

    public static ContainerProcess exec(int targetPid, ProcessSpec process, Confinement confinement,
                                        ContainerStarter.Stdio stdio) {
        int lastCap = ContainerStarter.lastCapability();
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Terminal> terminal = new AtomicReference<>();
        Thread spawner = Thread.ofPlatform().name("berth-exec").unstarted(() -> {
            try {
                int[] fds = new int[NAMESPACES.size()];
                for (int i = 0; i < fds.length; i++) {
                    fds[i] = Libc.open("/proc/" + targetPid + "/ns/" + NAMESPACES.get(i)[0], Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                }
                confinement.enterCallingThread();
                Libc.unshare(CLONE_FS);
                try {
                    for (int i = 0; i < fds.length; i++) {
                        Libc.setns(fds[i], Integer.parseInt(NAMESPACES.get(i)[1]));
                    }
                } finally {
                    for (int fd : fds) {
                        Libc.closeQuietly(fd);
                    }
                }
                Libc.chdir(process.cwd());
                if (process.terminal()) {
                    terminal.set(Terminal.open("/dev/pts/ptmx"));
                    terminal.get().copyWindowSize(Terminal.userTerminal(stdio.userIn(), stdio.userOut()));
                    Libc.chown(terminal.get().slavePath(), process.user().uid(), process.user().gid());
                }
                String executable = ContainerStarter.resolveExecutable(process);
                ContainerStarter.takeIdentity(process, lastCap);
                result.set(ContainerStarter.spawn(process, executable, stdio, terminal.get(), false));
            } catch (Throwable t) {
                result.set(t);
            }
        });
        spawner.start();
        ContainerStarter.joinQuietly(spawner);
        if (result.get() instanceof Throwable failure) {
            if (terminal.get() != null) {
                terminal.get().close();
            }
            throw ContainerStarter.startFailure(process, failure);
        }
        int pid = (Integer) result.get();
        confinement.addProcess(pid);
        return new ContainerProcess(pid, Libc.pidfdOpen(pid), terminal.get());
    }
}
