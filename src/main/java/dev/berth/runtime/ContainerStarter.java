package dev.berth.runtime;

import dev.berth.Trace;
import dev.berth.linux.Libc;
import dev.berth.linux.Syscalls;
import dev.berth.linux.UserNamespace;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.LinuxSpec;
import dev.berth.spec.NamespaceType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Starts a container's first process. Namespaces belong to threads, so the work happens on two
 * throw-away platform threads (DESIGN.md §3), which talk through a {@link StartHandshake}:
 *
 * <ol>
 *   <li><b>spawner</b>: unshares its file-system context and the mount, UTS, IPC and network namespaces,
 *       builds the root ({@link RootfsSetup}) and pivots into it, unshares the PID namespace, takes the
 *       container's identity (capabilities, uid/gid, no_new_privs, seccomp), then {@code posix_spawn}s the command.
 *       The child inherits all of that and becomes PID 1; it blocks on a FIFO before {@code execve}.</li>
 *   <li><b>helper</b>: once the child exists, mounts the container's /proc ({@link ProcMount}) and opens
 *       the FIFO, which lets the child exec.</li>
 * </ol>
 *
 * No second JVM and no helper binary: the user's command is exec'd directly as PID 1. Every system call
 * goes through {@link Syscalls}, so the sequence is tested with a recording one.
 */
public final class ContainerStarter {
    private static final int CLONE_FS = 0x200;
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Syscalls sys;
    private final ProcessSetup setup;

    public ContainerStarter(Syscalls sys) {
        this.sys = sys;
        this.setup = new ProcessSetup(sys);
    }

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

    /** Starts the container with the kernel's system calls. */
    public static ContainerProcess start(ContainerSpec spec, Overlay overlay, Stdio stdio, Confinement confinement) {
        return new ContainerStarter(Syscalls.LINUX).run(spec, overlay, stdio, confinement);
    }

    /**
     * Creates the container and leaves its first process waiting before {@code execve} (the OCI
     * runtime's {@code create}): everything is set up and /proc mounted, and {@link #release} lets it
     * run. The spawner thread stays blocked in posix_spawn until this JVM exits; the process outlives it.
     * The root is the prepared directory at {@code spec.root().path()}.
     */
    public static ContainerProcess create(ContainerSpec spec, Stdio stdio, Confinement confinement) {
        return new ContainerStarter(Syscalls.LINUX).run(spec, null, stdio, confinement, true);
    }

    /** True while the process of pid waits for its {@link #release} (its start FIFO is still there). */
    public static boolean isWaiting(int pid) {
        return Syscalls.LINUX.exists("/proc/" + pid + "/root" + RootfsSetup.START_FIFO);
    }

    /** Lets a process left waiting by {@link #create} execute its command; false if it was not waiting. */
    public static boolean release(int pid) {
        // plain Java, no FFM binding to link (this is berth-oci start's whole work): a FIFO opened for
        // reading and writing never blocks, and it lets the process blocked opening it for reading go on
        Path fifo = Path.of("/proc/" + pid + "/root" + RootfsSetup.START_FIFO);
        try (FileChannel gate = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.deleteIfExists(fifo);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start process " + pid, e);
        }
    }

    /** The name of the spawner thread, and so of the process a user namespace's setup runs in (its comm). */
    private static final String SPAWNER = "berth-spawner";

    /**
     * Ends the process that spawned pid in a user namespace of its own for a held container, if it is
     * still there (start, or delete of a container never started). After the hand-over that process only
     * waits to _exit, and it runs on the memory of a JVM that has exited (berth-oci create's): returning
     * from posix_spawn into Java there can wait forever on that JVM's last safepoint, and a process left so
     * would never reap the container's. The container goes on, reparented to the engine's subreaper.
     */
    public static void endUserNamespaceSpawnerOf(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int parent = Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
            if (Files.readString(Path.of("/proc/" + parent + "/comm")).strip().equals(SPAWNER)) {
                ProcessHandle.of(parent).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            }
        } catch (IOException | RuntimeException gone) {
            // no such process any more: nothing to end
        }
    }

    public ContainerProcess run(ContainerSpec spec, Overlay overlay, Stdio stdio, Confinement confinement) {
        return run(spec, overlay, stdio, confinement, false);
    }

    private ContainerProcess run(ContainerSpec spec, Overlay overlay, Stdio stdio, Confinement confinement, boolean hold) {
        int lastCap = setup.lastCapability();
        byte[] seccompFilter = SeccompFilters.program(spec.linux().seccomp());
        Trace.mark("seccomp filter ready");
        StartHandshake handshake = new StartHandshake();
        ClassPathJar.openNow();
        boolean userNamespace = spec.linux().newUserNamespace();
        if (userNamespace && !hold) { // its first process is the spawner's grandchild: only a runtime's create hands it on
            throw new IllegalArgumentException("a user namespace of its own is for held containers (berth-oci) only");
        }
        Thread spawner = Thread.ofPlatform().name(SPAWNER).daemon(hold)
                .stackSize(userNamespace ? 16L << 20 : 0) // the new process runs on its lower part (UserNamespace)
                .unstarted(() -> spawnerSteps(spec, overlay, stdio, confinement, lastCap, seccompFilter, handshake, hold));
        Throwable[] helperFailure = {null};
        int[] held = {-1};
        Thread helper = Thread.ofPlatform().name("berth-proc").unstarted(() -> {
            try {
                held[0] = helperSteps(spec, confinement, handshake, hold);
            } catch (Throwable t) {
                helperFailure[0] = t;
            }
        });
        spawner.start();
        helper.start();
        ProcessSetup.joinQuietly(helper);
        if (hold && helperFailure[0] == null && held[0] > 0 && handshake.outcome() == null) {
            handshake.handOver();
            sys.closeQuietly(handshake.mountNamespaceFd());
            return new ContainerProcess(held[0], sys.pidfdOpen(held[0]), handshake.terminal());
        }
        if (helperFailure[0] != null || hold) {
            killChildOf(handshake.spawnerTid()); // the helper let nothing go: a blocked posix_spawn returns
        }
        ProcessSetup.joinQuietly(spawner);
        sys.closeQuietly(handshake.mountNamespaceFd());

        return switch (handshake.outcome()) {
            case StartHandshake.Outcome.Failed failed -> {
                closeQuietly(handshake.terminal());
                throw ProcessSetup.startFailure(spec.process(), failed.cause());
            }
            case StartHandshake.Outcome.Spawned spawned -> {
                int pidfd = sys.pidfdOpen(spawned.pid());
                if (helperFailure[0] != null) {
                    Libc.waitPidfd(pidfd, 0);
                    sys.closeQuietly(pidfd);
                    closeQuietly(handshake.terminal());
                    throw ProcessSetup.startFailure(spec.process(), helperFailure[0]);
                }
                yield new ContainerProcess(spawned.pid(), pidfd, handshake.terminal());
            }
        };
    }

    /**
     * The spawner thread: its group, then (in a process of a new user namespace, when the container has one)
     * namespaces → mounts → pivot_root → PID namespace → identity → spawn.
     */
    private void spawnerSteps(ContainerSpec spec, Overlay overlay, Stdio stdio, Confinement confinement, int lastCap,
                              byte[] seccompFilter, StartHandshake handshake, boolean hold) {
        try {
            boolean joined = confinement.enterCallingThread(); // the process of a user namespace inherits the group
            if (spec.linux().newUserNamespace()) {
                BindSources sources = BindSources.open(sys, spec.mounts()); // while this is host root
                try {
                    UserNamespace.run(LinuxSpec.IdMapping.mapFile(spec.linux().uidMappings()),
                            LinuxSpec.IdMapping.mapFile(spec.linux().gidMappings()),
                            () -> containerSteps(spec, overlay, stdio, joined, lastCap, seccompFilter, handshake, hold,
                                    sources));
                } finally {
                    sources.close();
                }
            } else {
                containerSteps(spec, overlay, stdio, joined, lastCap, seccompFilter, handshake, false, null);
            }
        } catch (Throwable t) {
            handshake.failed(t);
        }
    }

    /**
     * @param exitAfterHandOver the caller is a user namespace's process of a held container: once the
     *                          container was handed over, it ends at once (its JVM may be gone)
     * @param sources           the bind sources host root opened for that process, or null
     */
    private void containerSteps(ContainerSpec spec, Overlay overlay, Stdio stdio, boolean joined, int lastCap,
                                byte[] seccompFilter, StartHandshake handshake, boolean exitAfterHandOver,
                                BindSources sources) {
        try {
            int tid = sys.gettid();
            enterNamespaces(spec.linux());
            writeSysctls(spec.linux());
            handshake.inNamespaces(tid, sys.open("/proc/thread-self/ns/mnt", Libc.O_RDONLY | Libc.O_CLOEXEC, 0));
            Trace.mark("namespaces entered");
            Terminal terminal = new RootfsSetup(spec, overlay, sys, sources).build();
            handshake.terminalOpened(terminal);
            if (terminal != null) {
                terminal.copyWindowSize(Terminal.userTerminal(stdio.userIn(), stdio.userOut()));
            }
            Trace.mark("rootfs built");
            if (joined && spec.hasNamespace(NamespaceType.CGROUP)) {
                sys.unshare(NamespaceType.CGROUP.cloneFlag());
            }
            if (spec.linux().namespaces().stream().anyMatch(n -> n.kind() == NamespaceType.PID && n.path() == null)) {
                sys.unshare(NamespaceType.PID.cloneFlag());
            }
            String executable = setup.resolveExecutable(spec.process());
            setup.takeIdentity(spec.process(), seccompFilter, lastCap);
            handshake.identityTaken();
            Trace.mark("identity taken");
            int pid = setup.spawn(spec.process(), executable, stdio, terminal, RootfsSetup.START_FIFO);
            if (exitAfterHandOver && handshake.handedOver()) {
                Libc.exitNow(0);
            }
            handshake.spawned(pid);
        } catch (Throwable t) {
            if (exitAfterHandOver && handshake.handedOver()) {
                Libc.exitNow(1);
            }
            handshake.failed(t);
        }
    }

    /**
     * The helper thread: once the child exists, its /proc, its group, its OOM score; then its release
     * (unless hold). Returns the child's pid, -1 when the spawn ended before there was one.
     */
    private int helperSteps(ContainerSpec spec, Confinement confinement, StartHandshake handshake, boolean hold)
            throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        if (handshake.awaitSpawning(START_TIMEOUT_NANOS)) {
            int child = new ProcMount(sys, setup).mountAndRelease(spec, handshake.spawnerTid(), handshake.mountNamespaceFd(),
                    handshake::spawnEnded, deadline, confinement, hold);
            Trace.mark(hold ? "proc mounted, child waiting" : "proc mounted, child released");
            return child;
        }
        return -1;
    }

    /**
     * Unshares the namespaces to create and joins the ones with a path; not the PID namespace (that comes
     * last) nor the cgroup one (created once the thread is in the container's group).
     */
    private void enterNamespaces(LinuxSpec linux) {
        int unshare = CLONE_FS;
        for (LinuxSpec.Namespace ns : linux.namespaces()) {
            if (ns.kind() != NamespaceType.PID && ns.kind() != NamespaceType.CGROUP && ns.kind() != NamespaceType.USER
                    && ns.path() == null) {
                unshare |= ns.kind().cloneFlag();
            }
        }
        sys.unshare(unshare);
        for (LinuxSpec.Namespace ns : linux.namespaces()) {
            if (ns.path() != null) {
                int fd = sys.open(ns.path(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                try {
                    sys.setns(fd, ns.kind().cloneFlag());
                } finally {
                    sys.closeQuietly(fd);
                }
            }
        }
        if ((unshare & NamespaceType.NETWORK.cloneFlag()) != 0) {
            sys.loopbackUp();
        }
    }

    /**
     * The container's sysctls, written while the thread is in its new namespaces but still sees the
     * host's /proc: /proc/sys answers for the namespaces of the thread that writes.
     */
    private void writeSysctls(LinuxSpec linux) {
        linux.sysctl().forEach((key, value) -> sys.write("/proc/sys/" + key.replace('.', '/'), value));
    }

    /** Kills whatever the spawner thread started, so a blocked posix_spawn returns. */
    private void killChildOf(int tid) {
        if (tid < 0) {
            return;
        }
        try {
            for (String pid : sys.read("/proc/" + tid + "/task/" + tid + "/children").trim().split("\\s+")) {
                if (!pid.isEmpty()) {
                    sys.kill(Integer.parseInt(pid), 9);
                }
            }
        } catch (RuntimeException ignored) {
            // the spawner already ended: nothing to kill
        }
    }

    private static void closeQuietly(Terminal terminal) {
        if (terminal != null) {
            terminal.close();
        }
    }
}
